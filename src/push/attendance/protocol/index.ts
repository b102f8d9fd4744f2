/** Pure Attendance PUSH codec (attendance terminals): parsers, typed command builders, initialisation. No I/O. */
export * from './attlog';
export * from './operlog';
export * from './attphoto';
export * from './packet';
export * from './init';
export * from './info';
export * from './commands';
export * from './idcard';
export * from './bio-photo';
