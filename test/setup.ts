import 'reflect-metadata';

// CI sets CI=true, which turns picocolors on even without a TTY; tests compare plain text.
process.env.NO_COLOR = '1';
delete process.env.FORCE_COLOR;
