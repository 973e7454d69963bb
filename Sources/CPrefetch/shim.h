// Cache prefetch hints for the hot loops of AreaflowCore, which Swift cannot express itself. A hint changes no
// result, only when memory is read.
#ifndef AREAFLOW_PREFETCH_H
#define AREAFLOW_PREFETCH_H

/// Asks for the cache line holding `p`, to be written soon (a slot's state that an update or merge will change).
static inline void areaflow_prefetch_write(const void *p) { __builtin_prefetch(p, 1, 3); }

/// Asks for the cache line holding `p`, to be read soon.
static inline void areaflow_prefetch_read(const void *p) { __builtin_prefetch(p, 0, 3); }

#endif
