/*
 * workload.h - the workload: what the YAML file describes, parsed and
 * validated. Parsing never touches the network.
 *
 * Every problem is reported as "file:line:col: message" (1-based line and
 * column of the offending node), all of them, not just the first.
 */
#ifndef BENCH_WORKLOAD_H
#define BENCH_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dist.h"
#include "driver.h"
#include "secret.h"
#include "trace.h"

enum wl_phase_type {
	WL_PHASE_LOAD = 0,  /* insert every record of the keyspace once */
	WL_PHASE_RUN,       /* the measured mix */
	WL_PHASE_CRASH,     /* acknowledged writes, kill -9 of the server, restart, read back */
	WL_PHASE_REPLICATION, /* writes to the server, reads from a replica bench starts: lag, stale reads */
	WL_PHASE_CACHE_ASIDE /* the target as a cache in front of a store: hit ratio, store load, stale reads */
};

/* A value drawn from a fixed value, a range or a weighted list: values.ttl
 * (and, spread over other fields, values.size). n = 0: fixed (min == max)
 * or uniform over [min, max]; else vals[i] with weight weights[i]. */
struct wl_spread {
	uint64_t min, max;
	uint64_t *vals;                /* owned; NULL unless weighted */
	double *weights;
	size_t n;
};

/* A drawn size from a continuous distribution (gen/evd.h): kind 0 = none. */
enum { WL_SHAPE_NONE = 0, WL_SHAPE_FB_ETC, WL_SHAPE_GEV, WL_SHAPE_GPARETO };
struct wl_shape {
	int kind;
	double p[3];                   /* gev: mu, sigma, xi; gpareto: theta, sigma, xi */
};

/* auth: {user, password_env | password_file}: who the target logs in as.
 * The password itself is never in the workload (docs/security.md). */
/* A target: which driver, against what. */
struct wl_target {
	char *name;                    /* unique within the workload */
	char *driver;                  /* built-in name or "external:/path.so"; default = name */
	char *uri;                     /* NULL: spawned server or environment/default */
	struct bench_option *options;  /* key/value strings, owned */
	size_t n_options;
	unsigned timeout_ms;           /* per request: timeout: 1s; 0 = default (5 s) */
	/* spawn: {args: [...]}: extra arguments for the server bench spawns
	 * for this target (--servers spawn, no uri); NULL-terminated, owned;
	 * NULL when none. */
	char **spawn_args;
	size_t n_spawn_args;
	char *spawn_program;           /* spawn.program, or NULL: the first the host has */
	/* shard_key: {_id: hashed|1} of this target (mongodb only): "hashed"
	 * or "1", overriding keyspace.shard_key for it; NULL = the keyspace's. */
	char *shard_key;
	int line, col;                 /* where it was declared, for later messages */
	struct secret_auth auth;      /* the auth key (secret.h) */
};

/* arrival: fixed (default: one interval) or fb_etc (Facebook ETC's
 * generalized Pareto gaps, pacer_set_gaps). */
enum { WL_ARRIVAL_FIXED = 0, WL_ARRIVAL_FB_ETC };

struct wl_phase {
	char *name;
	enum wl_phase_type type;
	/* load */
	uint64_t batch;                /* records per load request batch; default 100 */
	/* run (load uses clients too; default 4 for load, 1 for run) */
	uint64_t warmup_ns;            /* run this long first, unmeasured; default 0 */
	uint64_t duration_ns;          /* exactly one of duration_ns / ops is set */
	uint64_t ops;                  /* total ops over all clients */
	uint64_t clients;
	uint64_t pipeline;             /* requests per batch; default 1 */
	double rate;                   /* 0 = closed loop; N = open loop at N ops/s in total */
	int arrival;                   /* WL_ARRIVAL_*: how the open loop's gaps are spaced */
	double mix[BENCH_OP__COUNT];   /* shares summing to 1; run phases only */
	/* The ops' parameters (docs/workload-format.md), defaults filled in: */
	uint64_t range_min, range_max; /* range: {length}: records per range op, uniform; 1..100 */
	uint64_t query_limit;          /* query: {limit}: records per query at most; 0 = all */
	int fuzzy_substring;           /* fuzzy: {mode}: 0 prefix (default), 1 substring */
	uint64_t fuzzy_matches;        /* fuzzy: {matches}: about this many keys per pattern; 10 */
	uint64_t st_members;           /* structures: {members}: distinct fields/members; 100 */
	uint64_t st_length;            /* structures: {length}: lrange/zrangebyscore size; 10 */
	uint64_t st_list_max;          /* structures: {list_max}: lpush keeps this many; 100 */
	/* crash: kill_after: 2s | {min: 1s, max: 3s}: the server is killed -9
	 * at a moment drawn uniformly from [min, max] after the writes start */
	uint64_t kill_min_ns, kill_max_ns;
	/* run: idle_connections: N plain TCP connections held open, silent,
	 * while the phase runs (idle.h); 0 = none */
	uint64_t idle_connections;
	/* cache-aside (aside.h): the simulated store answers a read or a
	 * write after a latency drawn uniformly from [min, max];
	 * on_write: invalidate (0: a write deletes the cached value) or
	 * update (1: it sets the new one). */
	uint64_t store_lat_min_ns, store_lat_max_ns;
	int on_write_update;
	/* store: DRIVER: a real store instead of the simulated one, a server
	 * of that driver (spawned for the phase, or its usual address with
	 * --servers external); NULL: simulated. */
	char *store_driver;
	/* targets: [NAME, ...]: the phase runs only on these targets of the
	 * workload, on_target[t] for target t (n_targets entries); NULL: on
	 * every target. On the others it is skipped and makes no row. */
	bool *on_target;
};

/* A warning of the parse, as workload_load also gives it in *errors
 * ("file:line:col: warning: ...", without the newline), and the target it
 * is about (an index into targets; -1: the whole workload), so that `bench
 * run --target` says only what concerns the targets it runs. */
struct wl_warning {
	char *text;
	int target;
};

/* The top-level `order` key (docs/workload-format.md, "order"). */
enum wl_order { WL_ORDER_RANDOM = 0, WL_ORDER_SEQUENTIAL };

/* "random" or "sequential". */
const char *workload_order_name(enum wl_order o);

struct workload {
	char *file;                    /* path it was read from */
	char *name;
	char *description;             /* may be "" */
	uint64_t seed;                 /* default 42 */
	struct wl_target *targets;
	size_t n_targets;
	struct {
		uint64_t records;          /* default 10000 */
		char *prefix;              /* default "bench:" */
		/* kind, records (= keyspace.records) and the kind's parameters;
		 * defaults from dist_params_default (uniform). */
		struct dist_params dist;
		/* keyspace.shard_key of _id: "hashed" or "1"; NULL = none
		 * (only the mongodb driver uses it). */
		char *shard_key;
		/* key_size: N | {min, max} | [{size, weight}] | fb_etc |
		 * {gev: {...}} | {gpareto: {...}}: each record's key length
		 * (keygen_sized_len); key_size.max == 0: prefix + 12 digits. */
		struct wl_spread key_size;
		struct wl_shape key_shape;
		/* keyspace.trace: run phases replay this access trace
		 * (docs/workload-format.md, "Trace replay") instead of
		 * drawing ops and keys; NULL = none. trace_format: its
		 * line format. trace_speed: open loop at the trace's
		 * timestamps divided by it; 0 = closed loop (the default). */
		char *trace;
		enum trace_format trace_format;
		double trace_speed;
	} keyspace;
	struct {
		/* size: 100            -> fixed: size_min = size_max = 100
		 * size: {min, max}     -> uniform over [size_min, size_max]
		 * size: [{size, weight}, ...] -> weighted: n_sizes entries
		 * size: fb_etc | {gev: {...}} | {gpareto: {...}} -> size_shape;
		 *       size_min/size_max its clamp (default 0 .. 1000000) */
		uint64_t size_min, size_max;   /* also the bounds of a weighted list */
		uint64_t *sizes;               /* weighted only, else NULL */
		double *weights;               /* weighted only: > 0, not normalised */
		size_t n_sizes;
		/* fields: N -> records of N fields of `size` each (0 = one value) */
		uint64_t fields;
		/* categories: N -> record i carries category "c<i % N>" for query
		 * ops; default 100 when a phase queries, else 0 (none) */
		uint64_t categories;
		struct wl_shape size_shape;
		/* ttl: 1s | {min, max} | [{ttl, weight}, ...]: how long a write
		 * lives, in milliseconds; ttl.max == 0: no expiry. */
		struct wl_spread ttl;
	} values;
	/* sweep: {KEY: [v1, v2, ...]}: one set of runs per value. KEY is a key
	 * path as --set takes it; a bare phase key (clients, pipeline, rate,
	 * warmup, duration, ops) applies to every run phase. NULL key = none.
	 * The workload a point runs is this one reloaded with the override
	 * `KEY=value`; see workload_sweep_overrides(). */
	struct {
		char *key;
		char **values;                 /* as written (YAML scalars) */
		size_t n_values;
		int line, col;                 /* of KEY; 0 when it came from --set */
		/* The --set paths a point sets: KEY, or phases.NAME.KEY for each
		 * run phase when KEY is a bare phase key. */
		char **paths;
		size_t n_paths;
	} sweep;
	/* server: {memory, eviction}: how every server bench spawns is sized
	 * (the drivers' memory_argv and eviction, driver.h); 0 / NULL: as the
	 * driver's recipe starts it. */
	struct {
		uint64_t memory;               /* bytes */
		char *eviction;                /* a policy word of the target's driver */
	} server;
	struct wl_phase *phases;
	size_t n_phases;
	uint64_t repeat;               /* default 1 */
	/* order: how the runs (blocks of target x sweep point x repeat) are
	 * ordered: random (default; seeded by `seed`) or sequential (target
	 * by target, point by point, repeat by repeat). run_order.h. */
	enum wl_order order;
	/* max_error_rate: the share of a run's requests that may fail (error,
	 * timeout, disconnect over requests sent, per target x phase run)
	 * before `bench run` exits 1; 0..1, default 0 (any failure). */
	double max_error_rate;
	/* Not a YAML key: `bench run --shard INDEX/COUNT` sets it on the loaded
	 * workload; this run does shard INDEX's share of every phase's clients
	 * (shard.h). count 0: not sharded. */
	struct {
		uint64_t index, count;
	} shard;
	struct wl_warning *warnings;   /* every warning of the parse, in file order */
	size_t n_warnings;
};

/* The largest workload file read (bytes). */
#define WL_MAX_FILE (16u << 20)

/* An override from the command line: `--set keyspace.records=1000`. Path
 * elements are mapping keys; inside `phases`, an element is a phase name or
 * a 0-based index. */
struct wl_override {
	const char *path;
	const char *value;             /* parsed as a YAML scalar */
};

/*
 * Reads and validates a workload file, applying overrides before validation.
 * On success returns 0 and *out (free with workload_free). On failure returns
 * -1 after appending every problem, one per line, as
 * "file:line:col: message\n" to *errors (a file that cannot be read is one
 * line naming it; caller frees *errors; it may also
 * hold warnings on success, as "file:line:col: warning: ...\n").
 * `errors` may not be NULL; *errors is NULL or a malloc'd string to append
 * to (e.g. from an earlier call), and is never NULL after the call.
 * Problems with a --set override read "file: --set path=value: message\n".
 */
int workload_load(const char *path, const struct wl_override *ov, size_t n_ov,
		  struct workload **out, char **errors);

/* As workload_load, from a string; `name` is used as the file in messages.
 * Returns 0, or -1 (not an exit code) with the problems in *errors. */
int workload_parse(const char *name, const char *text, size_t len,
		   const struct wl_override *ov, size_t n_ov,
		   struct workload **out, char **errors);

/*
 * The workload `name` (text, len bytes) with the overrides applied, as
 * YAML: the file the same run can be repeated from without the overrides
 * (comments are not kept; passwords in a uri are masked). Call it only
 * for text and overrides workload_parse accepted. Returns 0 with *out
 * (caller frees), or -1 with a message in err.
 */
int workload_emit(const char *name, const char *text, size_t len, const struct wl_override *ov, size_t n_ov,
		  char **out, char *err, size_t errlen);

/* Frees everything; NULL is a no-op. */
void workload_free(struct workload *w);

/* Whether phase ph runs on target t (an index into the workload's
 * targets): always, unless its `targets` key leaves t out. */
bool workload_phase_on(const struct wl_phase *ph, size_t t);

/* Whether any phase of w has a `targets` key. */
bool workload_phases_restricted(const struct workload *w);

/* Name of a phase type as written in YAML. */
const char *workload_phase_type_name(enum wl_phase_type t);

/*
 * The overrides that select sweep point `i` of w (i < w->sweep.n_values):
 * one per run phase for a bare phase key, else one. Appends them to
 * (*ov, *n_ov), growing the array with realloc; the strings they point to
 * belong to w and live as long as it. Returns how many were appended.
 */
size_t workload_sweep_overrides(const struct workload *w, size_t i, struct wl_override **ov, size_t *n_ov);

#endif
