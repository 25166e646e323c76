export * from './errors.js';
export * from './user.js';
export * from './auth.js';
export * from './admin.js';
