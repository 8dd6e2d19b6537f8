export { BaseCommand, type ShownError, showError } from './base.js';
export { CliError, EXIT } from './errors.js';
