/** The extractor's public surface for the suites under test/, bench/ and chaos/ (lint forbids deeper imports). */
export { createExtractorApp } from './extractor.app';
export { type ExtractorConfig } from './extractor.tokens';
export { ExtractorService } from './extractor.service';
export { PollLoop, POLL_INTERVAL_NAME } from './poll-loop.service';
