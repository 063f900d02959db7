/** The `fedrec` command's entry (bin/fedrec.js loads its compiled form). */
import { fileURLToPath } from 'node:url';
import { launch } from './launch.js';

process.exitCode = await launch(fileURLToPath(import.meta.url), process.argv.slice(2));
