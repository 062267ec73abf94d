import 'reflect-metadata';
import { checkEveryFileForLeaks } from './run/leak-check.js';

// CI sets CI=true, which turns picocolors on even without a TTY; tests compare plain text.
process.env.NO_COLOR = '1';
delete process.env.FORCE_COLOR;

// A test file that leaves a process running or a port listening fails (test/run/leak-check.ts).
checkEveryFileForLeaks();
