/** The loader's public surface for the suites under test/, bench/ and chaos/ (lint forbids deeper imports). */
export { createLoaderApp } from './loader.app';
