/** The transformer's public surface for the suites under test/, bench/ and chaos/ (lint forbids deeper imports). */
export { createTransformerApp } from './transformer.app';
