export * from './topic-range-reader';
export * from './replay.service';
