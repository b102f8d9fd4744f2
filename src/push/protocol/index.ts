/** Pure Security PUSH codec: parsers, builders, queue rules and the manual's tables. No I/O. */
export * from './errors';
export * from './kv';
export * from './time';
export * from './registry';
export * from './handshake';
export * from './rtlog';
export * from './tabledata';
export * from './devicecmd';
export * from './commands';
export * from './command-line';
export * from './getrequest';
export * from './command-rules';
export * from './tables';
export * from './refusals';
export * from './return-reasons';
export * from './elevator';
export * from './remote-auth';
