export * from './errors.js';
export * from './user.js';
export * from './auth.js';
export * from './admin.js';
export * from './return-to.js';
export * from './html.js';
export * from './sessions.js';
export * from './academic.js';
