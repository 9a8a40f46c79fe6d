export * from './store';
export type { StoredMedia, MediaCopyResult, OutboundMedia } from '../workflows/media';
