export { type BuiltContract, buildContract, buildTestBundle, bundleAndMeter, MANIFEST_FORMAT, type Manifest } from './build/build.js';
export { bundleContract, ESBUILD_VERSION } from './build/bundle.js';
export { CALL_DEPTH_LIMIT, METER_VERSION, type MeterReport, meterBundle } from './build/meter.js';
export { RuntimeError } from './errors.js';
export { defaultBatchSize, type FailedBatch, type JobProgress, type JobReport, type RunJobOptions, runJob } from './host/job.js';
export { writeFileAtomically, writeRendered } from './host/output.js';
export { encodePng } from './host/png.js';
export { SandboxPool, type SandboxPoolOptions, WORKER_EXEC_ARGV } from './host/pool.js';
export { findTestFiles, type Project, readProject } from './host/project.js';
export {
  type BatchResult,
  type BatchVerdict,
  type Bundle,
  type ContractInfo,
  deadlineForGas,
  type McuError,
  type Rendered,
  runBundleTests,
  Sandbox,
  type TestOutcome,
} from './host/sandbox.js';
export {
  manifestText,
  type ProjectRunReport,
  type ProjectTestReport,
  runProject,
  scaffoldProject,
  type TrialReport,
  testProject,
  trialRun,
  writeBuild,
} from './host/tasks.js';
