// @borealis/protocol: zod schemas and types for every REST body and Socket.IO event.

export * from './error-codes';
export * from './errors';
export * from './health';
export * from './realtime';
export * from './auth';
export * from './users';
export * from './sites';
export * from './credentials';
export * from './audit';
export * from './approvals';
export * from './devices';
export * from './metadata';
export * from './filters';
export * from './scheduled-jobs';
export * from './quick-jobs';
export * from './assemblies';
export * from './server';
