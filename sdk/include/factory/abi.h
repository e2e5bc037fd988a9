/*
 * factory plugin ABI: the only contract between factory-host and a plugin (.so).
 *
 * C only, C standard library only. No C++ object, exception or RTTI crosses it.
 * Plugin authors normally include <factory/plugin.hpp> (the C++ layer) instead.
 *
 * Version handshake: the host first calls factory_plugin_abi(), checks that the ABI version
 * equals FACTORY_ABI_VERSION and that the descriptor size matches, and only then calls
 * factory_plugin_descriptor(). Any change to this file that changes a layout, a value or a
 * signature bumps FACTORY_ABI_VERSION and records the new fingerprint in sdk/abi.lock
 * (the test abi_fingerprint fails otherwise).
 *
 * Ownership: every pointer the host passes to a hook is owned by the host and valid only for
 * the duration of that call unless its comment says otherwise. Every pointer in a descriptor is
 * owned by the plugin and must stay valid while the library is loaded (use static storage).
 *
 * Naming: on_* are hooks the host calls; host_* are host services the plugin calls.
 */
#ifndef FACTORY_ABI_H
#define FACTORY_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FACTORY_ABI_VERSION 4u

/* ---------------------------------------------------------------- status codes */

/* Returned by hooks. Which values a hook may return is said at the hook. */
enum factory_status {
    FACTORY_OK = 0,
    FACTORY_END = 1,   /* source: end of input, no more materials will come */
    FACTORY_DONE = 2,  /* blueprint on_material: this worker's work is done, fire it now */
    FACTORY_RETRY = 3, /* exporter: temporary failure, call again with the same batch later */
    FACTORY_ERROR = 4  /* failure; the hook wrote a message into its factory_error */
};

/* A message buffer owned by the host, for a hook to explain a FACTORY_ERROR/FACTORY_RETRY. */
typedef struct factory_error {
    char message[256]; /* NUL-terminated; empty when the hook wrote nothing */
} factory_error;

/* ---------------------------------------------------------------- descriptor */

enum factory_kind {
    FACTORY_KIND_SOURCE = 1,
    FACTORY_KIND_BLUEPRINT = 2,
    FACTORY_KIND_EXPORTER = 3
};

/* Types of plugin settings. The host parses and checks every value before the run starts;
 * values reach the plugin as text in the canonical form noted here. A PATH_IN or PATH_OUT whose
 * default is "" is optional: an empty value means "not given" and is passed on unchecked. */
enum factory_setting_type {
    FACTORY_SETTING_STRING = 1,   /* any text */
    FACTORY_SETTING_INT = 2,      /* signed 64-bit decimal */
    FACTORY_SETTING_UINT = 3,     /* unsigned 64-bit decimal */
    FACTORY_SETTING_FLOAT = 4,    /* decimal floating point */
    FACTORY_SETTING_BOOL = 5,     /* true|false (also accepted: yes|no|on|off|1|0) */
    FACTORY_SETTING_DURATION = 6, /* number with unit ns|us|ms|s|m|h; a bare number is seconds */
    FACTORY_SETTING_SIZE = 7,     /* bytes, with optional unit B|KiB|MiB|GiB|KB|MB|GB */
    FACTORY_SETTING_ENUM = 8,     /* one of the '|'-separated words in `choices` */
    FACTORY_SETTING_PATH_IN = 9,  /* a file that must exist and be readable ("-": stdin) */
    FACTORY_SETTING_PATH_OUT = 10 /* a file or folder to write; its folder must be writable */
};

/* Flags of a setting (factory_setting_spec.flags), facts the host reads without running plugin code. */
enum factory_setting_flag {
    /* Source only: when this setting is non-empty, the source's materials carry event time
     * (time_ns), so the host runs on the material clock unless told --clock wall. */
    FACTORY_SETTING_EVENT_TIME = 1u
};

typedef struct factory_setting_spec {
    const char *key;           /* [a-z0-9_]+ */
    uint32_t type;             /* enum factory_setting_type */
    uint32_t flags;            /* enum factory_setting_flag bits; 0 for none */
    const char *default_value; /* text in the type's form; NULL: the setting is required */
    const char *help;          /* one line */
    const char *choices;       /* FACTORY_SETTING_ENUM only: "a|b|c"; otherwise NULL */
} factory_setting_spec;

/* Types of product fields: a product is a fixed-layout record described by its pclass. */
enum factory_field_type {
    FACTORY_FIELD_U8 = 1,
    FACTORY_FIELD_U16 = 2,
    FACTORY_FIELD_U32 = 3,
    FACTORY_FIELD_U64 = 4,
    FACTORY_FIELD_I64 = 5,
    FACTORY_FIELD_F64 = 6,
    FACTORY_FIELD_BOOL = 7,    /* one byte, 0 or 1 */
    FACTORY_FIELD_IPV4 = 8,    /* 4 bytes, network byte order */
    FACTORY_FIELD_IPV6 = 9,    /* 16 bytes, network byte order */
    FACTORY_FIELD_TIME_NS = 10, /* int64 nanoseconds since the Unix epoch */
    FACTORY_FIELD_STRING = 11, /* char[size], NUL-padded; not necessarily NUL-terminated */
    FACTORY_FIELD_I8 = 12,
    FACTORY_FIELD_I16 = 13,
    FACTORY_FIELD_I32 = 14,
    FACTORY_FIELD_F32 = 15     /* IEEE 754 binary32 */
};

typedef struct factory_field {
    const char *name;  /* [a-z0-9_]+, unique within the pclass */
    uint32_t type;     /* enum factory_field_type */
    uint32_t offset;   /* bytes from the start of the product record */
    uint32_t size;     /* bytes; must match the type except for FACTORY_FIELD_STRING */
    uint32_t reserved; /* 0 */
} factory_field;

/* A product class: its name and the layout of its records. */
typedef struct factory_pclass {
    const char *name; /* [a-z0-9_]+, unique within the blueprint; exporters name files/tables by it */
    uint32_t record_size;
    uint32_t field_count;
    const factory_field *fields;
} factory_pclass;

struct factory_source_hooks;
struct factory_state_walk;
struct factory_blueprint_hooks;
struct factory_exporter_hooks;

typedef struct factory_descriptor {
    uint32_t abi_version; /* FACTORY_ABI_VERSION */
    uint32_t struct_size; /* sizeof(factory_descriptor) */
    uint32_t kind;        /* enum factory_kind */
    uint32_t setting_count;
    const char *name;        /* [a-z0-9_]+ */
    const char *version;     /* the plugin's own version, e.g. "1.2.0" */
    const char *description; /* one line */
    const factory_setting_spec *settings;
    /* What a user needs to know beyond the settings (storage of types, limits, field maps): a few
     * short lines, '\n'-separated, shown by `factory-host plugins NAME`. May be NULL. */
    const char *notes;

    /* FACTORY_KIND_BLUEPRINT only (zero/NULL otherwise). */
    uint32_t state_size;  /* bytes of per-worker state kept in the roster; may be 0 */
    uint32_t state_align; /* power of two, at most 16 */
    uint32_t pclass_count;
    uint32_t reserved;    /* 0 */
    const factory_pclass *pclasses;
    /* Checkpoints (--checkpoint) keep each worker's state. May be NULL: the layout of the state as
     * fields (record_size == state_size, name unused). The host fingerprints it (names, types,
     * offsets, sizes), and a checkpoint restores only into a blueprint whose fingerprint matches;
     * without a layout the fingerprint covers state_size and state_align only. */
    const factory_pclass *state_layout;
    /* May be NULL: an older state layout this build can still read. A checkpoint written with it
     * is restored through on_upgrade (which must then be set), one worker at a time. */
    const factory_pclass *state_previous;

    /* Exactly one is non-NULL, matching kind. */
    const struct factory_source_hooks *source;
    const struct factory_blueprint_hooks *blueprint;
    const struct factory_exporter_hooks *exporter;

    /* Typed materials. FACTORY_KIND_BLUEPRINT: may be NULL (raw materials, as the source gives
     * them): the fields this blueprint reads from each material (name unused), checked by the host
     * as a pclass's. A source that can fill such records gets the layout at on_open
     * (factory_host.material_layout) and adds FACTORY_FORMAT_RECORD materials laid out by it.
     * Other kinds: NULL. */
    const factory_pclass *material_layout;
    uint32_t material_flags; /* enum factory_material_flag bits; 0 for none */
    uint32_t reserved2;      /* 0 */
} factory_descriptor;

/* Flags of a descriptor's material_flags. */
enum factory_material_flag {
    /* Source: given factory_host.material_layout, on_fill adds FACTORY_FORMAT_RECORD materials
     * (it may still add raw ones, when a setting says so). */
    FACTORY_MATERIAL_FILLS_RECORDS = 1u,
    /* Blueprint with a material_layout: it also takes raw materials (it looks at each material's
     * format), so it may run with a source that cannot fill records. Without this flag the host
     * refuses that pairing at start. */
    FACTORY_MATERIAL_TAKES_RAW = 2u
};

/* ---------------------------------------------------------------- records */

/* Well-known material payload formats; plugins may use any value >= 1024 among themselves. */
enum factory_format {
    FACTORY_FORMAT_BYTES = 0, /* opaque */
    FACTORY_FORMAT_FLOW4 = 1, /* struct factory_flow4 in <factory/formats.h> */
    FACTORY_FORMAT_JSON = 2,  /* one JSON object, UTF-8, no trailing newline */
    FACTORY_FORMAT_PACKET = 3, /* struct factory_packet in <factory/formats.h> */
    FACTORY_FORMAT_RECORD = 4  /* exactly one record of the blueprint's material_layout */
};

/* One input record as the blueprint sees it. Lives in the shared-memory production line;
 * valid only during the hook that receives it. The payload follows the header directly. */
typedef struct factory_material {
    uint64_t pid;          /* the key */
    int64_t time_ns;       /* event time (Unix ns); the purchase time when the source has none */
    int64_t purchased_ns;  /* monotonic clock when purchasing took it (for latency) */
    uint64_t seq;          /* purchase serial number, from 1 */
    uint32_t size;         /* payload bytes */
    uint16_t format;       /* enum factory_format */
    uint16_t flags;        /* 0 */
} factory_material;

static inline const void *factory_material_payload(const factory_material *m)
{
    return (const void *)(m + 1);
}

/* One output record as exporters see it: the header, then `size` bytes laid out as its pclass. */
typedef struct factory_product {
    uint64_t pid;
    int64_t time_ns; /* when it was shipped, on the workshop's clock (Unix ns) */
    uint32_t pclass; /* index into the blueprint's pclass table */
    uint32_t size;   /* == pclasses[pclass].record_size */
} factory_product;

static inline const void *factory_product_payload(const factory_product *p)
{
    return (const void *)(p + 1);
}

/* ---------------------------------------------------------------- host services */

enum factory_log_level {
    FACTORY_LOG_DEBUG = 1,
    FACTORY_LOG_INFO = 2,
    FACTORY_LOG_WARN = 3,
    FACTORY_LOG_ERROR = 4
};

/* One worker as a checkpoint holds it (times on its workshop's clock, Unix ns): what a source walks
 * in on_checkpoint_done and gives back with host_restore_worker. */
typedef struct factory_worker_image {
    uint64_t pid;
    int64_t hired_ns;
    int64_t last_seen_ns;
    uint32_t materials;
    uint32_t state_size; /* the blueprint's state_size */
    const void *state;   /* state_size bytes, 8-byte aligned; owned by whoever passes it, valid during that call */
} factory_worker_image;

/* Host services, valid from on_open until on_close returns. `self` is passed back unchanged.
 * Every function may be called only from the thread that called the hook. */
typedef struct factory_host {
    uint32_t struct_size; /* sizeof(factory_host) */
    uint32_t workshop;    /* blueprint: index of this workshop; otherwise 0 */
    void *self;

    /* Log one line through the host's logger (not for per-record use). */
    void (*host_log)(void *self, uint32_t level, const char *message);

    /* The current time on this process's clock, Unix ns (event time when the run uses
     * material time). Cheap: no system call. */
    int64_t (*host_now_ns)(void *self);

    /* Non-zero once the run is ending: a source blocked on input should return from on_fill. */
    int (*host_stopping)(void *self);

    /* Blueprint only (NULL elsewhere and during on_open): ship a product of class `pclass` for
     * key `pid`.
     * The host copies `size` bytes from `record`; `size` must equal the pclass record size.
     * Returns FACTORY_OK, or FACTORY_ERROR when the product was refused (unknown pclass, wrong
     * size): it is then counted and written to the dead-letter output by the host. May block
     * while the transportation line is full (backpressure). */
    int (*host_ship)(void *self, uint64_t pid, uint32_t pclass, const void *record, uint32_t size);

    /* Source only (NULL elsewhere), when the source's descriptor has FACTORY_MATERIAL_FILLS_RECORDS
     * and the run's blueprint declares a material_layout: that layout, valid until on_close. A
     * material of format FACTORY_FORMAT_RECORD holds exactly record_size bytes laid out by it.
     * Present when struct_size reaches past it. */
    const factory_pclass *material_layout;

    /* Source only, for a source with FACTORY_SOURCE_KEEPS_STATE in a run with --checkpoint (NULL
     * otherwise); during on_fill (a consumer's rebalance callbacks run there) and on_checkpoint_done. */
    /* The worker of worker->pid continues here as it was (state, times, materials): its workshop
     * takes it before any material added after this call. Not a purchase. A pid that already has a
     * worker keeps its own (counted as refused), as does one whose state_size is not the
     * blueprint's. Returns FACTORY_OK, or FACTORY_ERROR (the run is stopping; err says so). */
    int (*host_restore_worker)(void *self, const factory_worker_image *worker, factory_error *err);
    /* pid's worker goes without on_fire (its partition now belongs to another run, which continues
     * it), after every material added before this call. Same returns. */
    int (*host_release_worker)(void *self, uint64_t pid, factory_error *err);
    /* Takes a checkpoint now: the position, barriers in every line, and waits until it is
     * complete (on_checkpoint_done is called for it before this returns) or failed. Returns
     * FACTORY_OK, or FACTORY_ERROR (it failed, or the run is stopping; err says why). */
    int (*host_checkpoint_now)(void *self, factory_error *err);
} factory_host;

/* Plugin settings, all values already checked against the descriptor's types, defaults filled
 * in. Arrays are owned by the host, valid during on_open only: copy what you keep. */
typedef struct factory_settings {
    uint32_t struct_size; /* sizeof(factory_settings), filled by the host */
    uint32_t count;
    const char *const *keys;
    const char *const *values;
} factory_settings;

/* ---------------------------------------------------------------- source */

/* One call's worth of room for materials. Host-owned, valid during on_fill only. */
typedef struct factory_fill {
    uint32_t struct_size; /* sizeof(factory_fill), filled by the host */
    uint32_t reserved;
    void *self;
    uint32_t room;     /* at most this many materials may be added in this call */
    uint32_t max_size; /* largest payload, in bytes, a material may have */

    /* Add one material: returns where to write its `size` payload bytes (8-byte aligned), or NULL
     * when the run is stopping or `room` is exhausted; then return from on_fill at once.
     * `time_ns` 0 means "now". Sizes above max_size are refused with NULL and counted: call
     * host_reject instead. May block while the production line is full (backpressure). */
    void *(*host_add)(void *self, uint64_t pid, int64_t time_ns, uint16_t format, uint32_t size);

    /* A record the source could not turn into a material: counted as purchased and dead-lettered
     * with `reason` (e.g. "line 17: expected ':'"). `data` may be NULL. */
    void (*host_reject)(void *self, const char *reason, const void *data, uint32_t size);
} factory_fill;

typedef struct factory_source_hooks {
    uint32_t struct_size;
    uint32_t reserved;
    /* Returns FACTORY_OK with *instance set, or FACTORY_ERROR with err filled. */
    int (*on_open)(const factory_host *host, const factory_settings *settings, void **instance,
                   factory_error *err);
    /* Adds up to fill->room materials. Returns FACTORY_OK (call again), FACTORY_END (input is
     * exhausted), or FACTORY_ERROR (input failed; the run ends, err says why). */
    int (*on_fill)(void *instance, factory_fill *fill, factory_error *err);
    void (*on_close)(void *instance);

    /* Checkpoints. Optional: both NULL, or both set. A source without them cannot be used with
     * --checkpoint. */
    /* Between two on_fill calls: write where the input stands, just after the last material added,
     * as at most `room` opaque bytes into `buf`, and their number into *size. Returns FACTORY_OK,
     * or FACTORY_ERROR when this input cannot be resumed (stdin, a live capture): err says why, and
     * the host refuses --checkpoint with that message (it asks once right after on_open). */
    int (*on_position)(void *instance, void *buf, uint32_t room, uint32_t *size, factory_error *err);
    /* After on_open, before the first on_fill: continue just after `position` (`size` bytes written
     * by on_position of a run with the same settings). Returns FACTORY_OK or FACTORY_ERROR (the
     * position does not fit this input, e.g. the file is shorter: err says why). */
    int (*on_seek)(void *instance, const void *position, uint32_t size, factory_error *err);

    /* Optional (may be NULL), with on_position/on_seek only: checkpoint `epoch` is complete (its
     * manifest is written: its products were exported and committed, its state is durable).
     * Called between two on_fill calls, at most once per epoch, in increasing order; an epoch may
     * be skipped (two completed between fills: only the newer is told). `position` (`size` bytes)
     * is what on_position gave for that epoch; `workers` walks every worker of the checkpoint.
     * Not called for the final checkpoint of a run (it completes after on_close). A source that
     * commits its input (Kafka offsets) does so here, never earlier. Returns FACTORY_OK or
     * FACTORY_ERROR (logged as a warning with err; the run goes on). */
    int (*on_checkpoint_done)(void *instance, uint64_t epoch, const void *position, uint32_t size,
                              const struct factory_state_walk *workers, factory_error *err);
    /* enum factory_source_trait bits. */
    uint32_t traits;
    uint32_t reserved2;
} factory_source_hooks;

enum factory_source_trait {
    /* Under --checkpoint, the workers' state lives in the source's own storage (the kafka source:
     * a changelog topic per partition): the host does not load workers from its local checkpoints
     * at start or at a rollback; the source gives them back (host_restore_worker). Needs
     * on_checkpoint_done, where the source saves them. */
    FACTORY_SOURCE_KEEPS_STATE = 1u
};

/* The workers of one checkpoint, one at a time (read from its files: not all in memory).
 * Host-owned, valid during the hook that receives it. */
typedef struct factory_state_walk {
    uint32_t struct_size; /* sizeof(factory_state_walk), filled by the host */
    uint32_t reserved;
    void *self;
    /* The next worker into *out: FACTORY_OK, FACTORY_END when every worker was given, or
     * FACTORY_ERROR (a file of the checkpoint cannot be read; err says which and why). */
    int (*host_next_worker)(void *self, factory_worker_image *out, factory_error *err);
} factory_state_walk;

/* The most bytes a source position may take. */
#define FACTORY_POSITION_MAX 4096u

/* ---------------------------------------------------------------- blueprint */

/* Why a worker was fired. The values equal IPFIX flowEndReason (RFC 5102). */
enum factory_fire_reason {
    FACTORY_FIRED_IDLE = 1,     /* its contract ran out: no material for the idle timeout */
    FACTORY_FIRED_MAX_AGE = 2,  /* it reached the maximum worker age */
    FACTORY_FIRED_DONE = 3,     /* the blueprint returned FACTORY_DONE */
    FACTORY_FIRED_SHUTDOWN = 4, /* the run is ending */
    FACTORY_FIRED_EVICTED = 5   /* the roster was full and it was the oldest due */
};

/* One key's worker, valid only during the hook that receives it. */
typedef struct factory_worker {
    uint64_t pid;
    void *state;           /* state_size bytes, state_align aligned; zeroed at hire */
    int64_t hired_ns;      /* workshop clock, millisecond resolution */
    int64_t last_seen_ns;  /* workshop clock, millisecond resolution */
    uint32_t materials;    /* materials assembled by this worker so far, this one included (saturates) */
    uint32_t reserved;
} factory_worker;

typedef struct factory_blueprint_hooks {
    uint32_t struct_size;
    uint32_t reserved;
    int (*on_open)(const factory_host *host, const factory_settings *settings, void **instance,
                   factory_error *err);
    /* First material of a pid: set up the state (already zeroed). on_material follows for the same
     * material. Returns FACTORY_OK or FACTORY_ERROR (the material is dead-lettered, no worker). */
    int (*on_hire)(void *instance, factory_worker *worker, const factory_material *m,
                   factory_error *err);
    /* Returns FACTORY_OK, FACTORY_DONE (fire with FACTORY_FIRED_DONE after this material) or
     * FACTORY_ERROR (this material is dead-lettered with err; the worker lives on, unless this was
     * its first material: a worker that assembled nothing is discarded without on_fire). */
    int (*on_material)(void *instance, factory_worker *worker, const factory_material *m,
                       factory_error *err);
    /* The inspector's periodic visit; may be NULL. Same returns as on_material. */
    int (*on_inspect)(void *instance, factory_worker *worker, int64_t now_ns, factory_error *err);
    /* The worker is leaving: ship its final products now. The state is discarded afterwards. */
    void (*on_fire)(void *instance, factory_worker *worker, uint32_t reason, int64_t now_ns);
    void (*on_close)(void *instance);
    /* Restoring a checkpoint written with the descriptor's state_previous layout: fill `state`
     * (state_size bytes, zeroed) from `old_state` (state_previous->record_size bytes). May be NULL
     * when state_previous is NULL. Returns FACTORY_OK, or FACTORY_ERROR (the restore is refused
     * with err). */
    int (*on_upgrade)(void *instance, const void *old_state, void *state, factory_error *err);
} factory_blueprint_hooks;

/* ---------------------------------------------------------------- exporter */

/* What the host tells an exporter at open: the blueprint's product classes. Valid during on_open
 * only (the same pclass pointers reappear in every batch and stay valid until on_close). */
enum factory_export_flag {
    /* The run takes checkpoints (--checkpoint); on_commit will be called. */
    FACTORY_EXPORT_CHECKPOINTS = 1u,
    /* The run resumes from checkpoint `resume_epoch`: before on_open returns, undo everything this
     * exporter wrote after its on_commit of that epoch (an output it finds in place is then the
     * job's own, not a conflict). Without this flag and with FACTORY_EXPORT_CHECKPOINTS, the job
     * starts: what the outputs hold now is epoch 0, the point a resume from epoch 0 returns to. */
    FACTORY_EXPORT_RESUME = 2u
};

typedef struct factory_export_info {
    uint32_t pclass_count;
    uint32_t flags;        /* enum factory_export_flag bits */
    const factory_pclass *pclasses;
    uint64_t resume_epoch; /* with FACTORY_EXPORT_RESUME: the epoch to return to; otherwise 0 */
} factory_export_info;

/* A batch of products of one pclass. Host-owned, valid during on_export only. */
typedef struct factory_batch {
    uint32_t struct_size; /* sizeof(factory_batch), filled by the host */
    uint32_t pclass;
    uint32_t count;
    uint32_t reserved;
    const factory_pclass *schema;
    const factory_product *const *products;
} factory_batch;

typedef struct factory_exporter_hooks {
    uint32_t struct_size;
    uint32_t reserved;
    int (*on_open)(const factory_host *host, const factory_settings *settings,
                   const factory_export_info *info, void **instance, factory_error *err);
    /* Returns FACTORY_OK (all taken), FACTORY_RETRY (nothing taken; the host calls again with the
     * same batch after a backoff) or FACTORY_ERROR (nothing taken; the batch is dead-lettered). */
    int (*on_export)(void *instance, const factory_batch *batch, factory_error *err);
    /* Make everything exported so far durable/visible. Same returns as on_export; may be NULL. */
    int (*on_flush)(void *instance, factory_error *err);
    void (*on_close)(void *instance);
    /* Optional (may be NULL): how many products this exporter has made durable in this run, over
     * every transportation process of the run, this one included. The host calls it once after
     * on_open, before the first on_export. When a transportation process dies, the products it had
     * taken but not yet counted as exported are counted lost; its successor asks each exporter this
     * and counts the ones the exporter proves it kept as exported instead (an sqlite transaction
     * that stores the count with the rows, for example). The run is named by the environment
     * variable FACTORY_RUN_ENV: unique per run, the same in every process of it.
     * Returns FACTORY_OK with *count set, or FACTORY_ERROR (the host keeps its own count). */
    int (*on_durable)(void *instance, uint64_t *count, factory_error *err);
    /* Optional (may be NULL: the exporter is then at least once under --checkpoint, since what it
     * exported after the last checkpoint is exported again after a crash). Called after on_flush
     * succeeded: everything exported so far is epoch `epoch` (increasing, from 1) and must be
     * restorable by a later resume from it (FACTORY_EXPORT_RESUME), as long as the exporter keeps
     * the last 8 epochs it committed. Returns FACTORY_OK or FACTORY_ERROR (the checkpoint fails;
     * the run goes on). */
    int (*on_commit)(void *instance, uint64_t epoch, factory_error *err);
} factory_exporter_hooks;

/* The environment variable that names the run (see on_durable); set by the host in every child. */
#define FACTORY_RUN_ENV "FACTORY_RUN"

/* ---------------------------------------------------------------- entry points */

/* The plugin exports both, with C linkage and default visibility:
 *   uint32_t factory_plugin_abi(uint32_t *descriptor_size);
 *       returns the ABI version the plugin was built for, stores sizeof(factory_descriptor);
 *       must not do anything else.
 *   const factory_descriptor *factory_plugin_descriptor(void);
 *       returns the descriptor; pure data, no side effects. */
#define FACTORY_ABI_SYMBOL "factory_plugin_abi"
#define FACTORY_DESCRIPTOR_SYMBOL "factory_plugin_descriptor"

typedef uint32_t (*factory_plugin_abi_fn)(uint32_t *descriptor_size);
typedef const factory_descriptor *(*factory_plugin_descriptor_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* FACTORY_ABI_H */
