// Stands in for @types/node when lib/ is type-checked alone (lib/tsconfig.json): some
// libraries' declarations (apache-arrow) say `/// <reference types="node" />`, which would
// otherwise bring Node's globals (Buffer, process, NodeJS.*) and node: modules into lib's check.
export {};
