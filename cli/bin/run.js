#!/usr/bin/env -S node --no-node-snapshot
import { execute } from '@oclif/core';

await execute({ dir: import.meta.url });
