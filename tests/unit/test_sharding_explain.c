/*
 * test_sharding_explain.c - the pieces of sharding that run without a
 * mongos (there is none on the project's machines): the mongodb driver's
 * reading of explain replies as a mongos of MongoDB 7.0 writes them
 * (queryPlanner.winningPlan.shards), the mean over the sampled keys, the
 * sample and split keys (which must be the keys harness/gen/keygen.c makes),
 * and the harness's reading of the driver's per-op shards figures
 * (bench_server_info.shards_per_op) into summary.csv's shards_per_op.
 * And every other command the driver sends to
 * a sharded cluster (enableSharding, createIndexes, shardCollection, split,
 * moveChunk, explain of a find) against the fields and types MongoDB 7.0's
 * reference documents for it, and the replies it reads (hello from a mongos
 * and a mongod, listShards, config.databases and config.collections
 * documents) as 7.0 writes them.
 */
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <bson/bson.h>

#include "check.h"
#include "keygen.h"
#include "mongodb_int.h"
#include "results.h"

/* A mongos's explain of find {_id: "claim-shard:000000003125"} on a
 * collection sharded on {_id: "hashed"}: one shard (MongoDB 7.0.12). */
static const char explain_get[] =
	"{\"queryPlanner\": {\"mongosPlannerVersion\": 1, \"winningPlan\": {\"stage\": \"SINGLE_SHARD\", \"shards\": ["
	"{\"shardName\": \"shard2\", \"connectionString\": \"shard2/mongo-shard2:27018\","
	" \"serverInfo\": {\"host\": \"mongo-shard2\", \"port\": 27018, \"version\": \"7.0.12\","
	" \"gitVersion\": \"b6e8ff7e5b0c1ac1a1c5d3e3cf2c3b2c7d0b1c5a\"},"
	" \"namespace\": \"bench.kv_hashed\", \"indexFilterSet\": false,"
	" \"parsedQuery\": {\"_id\": {\"$eq\": \"claim-shard:000000003125\"}},"
	" \"queryHash\": \"740C02B0\", \"planCacheKey\": \"E351FFEC\", \"maxIndexedOrSolutionsReached\": false,"
	" \"maxIndexedAndSolutionsReached\": false, \"maxScansToExplodeReached\": false,"
	" \"winningPlan\": {\"stage\": \"LIMIT\", \"limitAmount\": 1, \"inputStage\": {\"stage\": \"SHARDING_FILTER\","
	" \"inputStage\": {\"stage\": \"IDHACK\"}}}, \"rejectedPlans\": []}]}},"
	" \"serverInfo\": {\"host\": \"mongos\", \"port\": 27017, \"version\": \"7.0.12\"},"
	" \"command\": {\"find\": \"kv_hashed\", \"filter\": {\"_id\": \"claim-shard:000000003125\"}, \"limit\": 1},"
	" \"ok\": 1, \"operationTime\": {\"$timestamp\": {\"t\": 1732430000, \"i\": 3}}}";

/* The same mongos's explain of a range query {_id: {$gte: ..., $lt: ...}},
 * sort _id, limit 100, on the hashed key: every shard, merged in order. */
static const char explain_range[] =
	"{\"queryPlanner\": {\"mongosPlannerVersion\": 1, \"winningPlan\": {\"stage\": \"SHARD_MERGE_SORT\", \"shards\": ["
	"{\"shardName\": \"shard1\", \"connectionString\": \"shard1/mongo-shard1:27018\","
	" \"namespace\": \"bench.kv_hashed\", \"parsedQuery\": {\"$and\": [{\"_id\": {\"$lt\": \"claim-shard;\"}},"
	" {\"_id\": {\"$gte\": \"claim-shard:000000003125\"}}]},"
	" \"winningPlan\": {\"stage\": \"LIMIT\", \"limitAmount\": 100, \"inputStage\": {\"stage\": \"FETCH\","
	" \"inputStage\": {\"stage\": \"SHARDING_FILTER\", \"inputStage\": {\"stage\": \"IXSCAN\","
	" \"keyPattern\": {\"_id\": 1}, \"indexName\": \"_id_\", \"direction\": \"forward\"}}}},"
	" \"rejectedPlans\": []},"
	"{\"shardName\": \"shard2\", \"connectionString\": \"shard2/mongo-shard2:27018\","
	" \"namespace\": \"bench.kv_hashed\", \"winningPlan\": {\"stage\": \"LIMIT\", \"limitAmount\": 100},"
	" \"rejectedPlans\": []}]}}, \"ok\": 1}";

/* A mongod's (or FerretDB's) explain: no shards array. */
static const char explain_mongod[] =
	"{\"explainVersion\": \"1\", \"queryPlanner\": {\"namespace\": \"bench.kv\", \"indexFilterSet\": false,"
	" \"winningPlan\": {\"stage\": \"IDHACK\"}, \"rejectedPlans\": []}, \"ok\": 1}";

static int shards_of(const char *json)
{
	bson_error_t e;
	bson_t *b = bson_new_from_json((const uint8_t *)json, -1, &e);
	int n;

	CHECK(b != NULL);
	if (!b) {
		fprintf(stderr, "  bad canned JSON: %s\n", e.message);
		return -2;
	}
	n = mongo_explain_shards(b);
	bson_destroy(b);
	return n;
}

static void test_explain(void)
{
	bson_t empty = BSON_INITIALIZER;

	CHECK_INT(shards_of(explain_get), 1);
	CHECK_INT(shards_of(explain_range), 2);
	CHECK_INT(shards_of(explain_mongod), -1);
	/* shards that is not an array, or an empty one */
	CHECK_INT(shards_of("{\"queryPlanner\": {\"winningPlan\": {\"shards\": {\"shard1\": 1}}}}"), -1);
	CHECK_INT(shards_of("{\"queryPlanner\": {\"winningPlan\": {\"stage\": \"SHARD_MERGE\", \"shards\": []}}}"), 0);
	CHECK_INT(mongo_explain_shards(&empty), -1);
}

static void test_mean(void)
{
	const int some[] = {1, 2, -1, 2}, none[] = {-1, -1}, halves[] = {2, 2, 1, 1};

	CHECK(fabs(mongo_shard_mean(some, 4) - 5.0 / 3.0) < 1e-12); /* a failed explain is left out */
	CHECK(mongo_shard_mean(none, 2) < 0);
	CHECK(mongo_shard_mean(some, 0) < 0);
	CHECK(mongo_shard_mean(halves, 4) == 1.5);
}

/* Split and sample keys: record numbers, and keys exactly as the load
 * writes them (a split key that is not a loaded key would still split,
 * but not where the docs say). */
static void test_keys(void)
{
	char mine[128], theirs[128];
	unsigned below = 0;

	CHECK_INT(mongo_shard_split_id(100000, 1, 2), 50000);
	CHECK_INT(mongo_shard_split_id(100000, 1, 3), 33333);
	CHECK_INT(mongo_shard_split_id(100000, 2, 3), 66666);
	CHECK_INT(mongo_shard_split_id(100000, 1, 0), 0);
	/* no overflow at the top of the range */
	CHECK(mongo_shard_split_id(UINT64_MAX, 2, 3) == 12297829382473034410ull);
	CHECK(mongo_shard_sample_id(UINT64_MAX, 15, 16) < UINT64_MAX);
	CHECK_INT(mongo_shard_sample_id(100000, 0, 16), 3125);
	CHECK_INT(mongo_shard_sample_id(100000, 15, 16), 96875);
	CHECK_INT(mongo_shard_sample_id(3, 2, 3), 2);
	for (unsigned i = 1; i < 16; i++)
		CHECK(mongo_shard_sample_id(100000, i, 16) > mongo_shard_sample_id(100000, i - 1, 16));
	/* Two shards, ranged: half the samples lie below the split key (their
	 * range reaches both chunks), half above (one chunk). */
	for (unsigned i = 0; i < 16; i++)
		below += mongo_shard_sample_id(100000, i, 16) < mongo_shard_split_id(100000, 1, 2);
	CHECK_INT(below, 8);

	CHECK_INT(mongo_shard_key(mine, sizeof(mine), "claim-shard:", 3125), (int)keygen_key_len("claim-shard:"));
	theirs[keygen_format(theirs, "claim-shard:", 3125)] = '\0'; /* it writes no NUL */
	CHECK_STR(mine, theirs);
	CHECK_STR(mine, "claim-shard:000000003125");
	mongo_shard_key(mine, sizeof(mine), NULL, 99999999999ull);
	theirs[keygen_format(theirs, "", 99999999999ull)] = '\0';
	CHECK_STR(mine, theirs);
}

/* summary.csv's shards_per_op: from the typed per-op figures of the
 * server_info after the runs (driver.h), for run phases only; nothing
 * without them, and never from the config text (which run.json shows). */
static void test_results(void)
{
	struct wl_phase run = {.type = WL_PHASE_RUN}, load = {.type = WL_PHASE_LOAD};
	struct phase_result pr = {.phase = &run}, pl = {.phase = &load};
	struct target_result t = {0};

	CHECK(results_shards_per_op(&t, &pr, BENCH_OP_GET) < 0); /* never read */
	t.have_info_after = true;
	t.info_after.shards_per_op[BENCH_OP_GET] = 1.0;
	t.info_after.shards_per_op[BENCH_OP_SET] = 1.0;
	t.info_after.shards_per_op[BENCH_OP_RANGE] = 1.5;
	t.info_after.shards_per_op[BENCH_OP_QUERY] = 9; /* not said: its bit is not set */
	t.info_after.shards_known = 1u << BENCH_OP_GET | 1u << BENCH_OP_SET | 1u << BENCH_OP_RANGE;
	CHECK(results_shards_per_op(&t, &pr, BENCH_OP_GET) == 1.0);
	CHECK(results_shards_per_op(&t, &pr, BENCH_OP_RANGE) == 1.5);
	CHECK(results_shards_per_op(&t, &pr, BENCH_OP_QUERY) < 0);
	CHECK(results_shards_per_op(&t, &pr, BENCH_OP_DELETE) < 0); /* 0, and not said */
	CHECK(results_shards_per_op(&t, &pl, BENCH_OP_SET) < 0);   /* a load is not a set */
	CHECK(results_shards_per_op(&t, &pr, BENCH_OP__COUNT) < 0);
	/* A figure that is no mean of shards. */
	t.info_after.shards_per_op[BENCH_OP_GET] = -1;
	CHECK(results_shards_per_op(&t, &pr, BENCH_OP_GET) < 0);
	/* A driver that says nothing of shards (redis, memcached, mongodb
	 * without shard_key), whatever its config lines look like. */
	memset(&t.info_after, 0, sizeof(t.info_after));
	snprintf(t.info_after.config, sizeof(t.info_after.config), "shards_per_op.get=1.00\nmaxmemory=0\n");
	CHECK(results_shards_per_op(&t, &pr, BENCH_OP_GET) < 0);
}

/* ---- commands: the fields MongoDB 7.0's reference lists for each ---- */

enum { ANY_NUMBER = -1 };

struct field {
	const char *name;
	int type;               /* a bson_type_t, or ANY_NUMBER (int32, int64, double) */
	bool required;
};

/* Every field of cmd is one the reference lists, with its type; every
 * required one is there; the command's name is its first field. */
static void check_shape(const char *what, const bson_t *cmd, const struct field *spec)
{
	bson_iter_t it;
	bool first = true;

	CHECK(bson_iter_init(&it, cmd));
	while (bson_iter_next(&it)) {
		const struct field *f = spec;
		int t = bson_iter_type(&it);

		while (f->name && strcmp(f->name, bson_iter_key(&it)) != 0)
			f++;
		if (!f->name || (first && f != spec) ||
		    (f->type == ANY_NUMBER ? !BSON_ITER_HOLDS_NUMBER(&it) : t != f->type)) {
			fprintf(stderr, "  %s: field '%s' (type %d) is not %s\n", what, bson_iter_key(&it), t,
				!f->name ? "documented" : first && f != spec ? "the command's name" : "of the documented type");
			CHECK(0);
		}
		first = false;
	}
	for (const struct field *f = spec; f->name; f++)
		if (f->required && !(bson_iter_init_find(&it, cmd, f->name))) {
			fprintf(stderr, "  %s: required field '%s' missing\n", what, f->name);
			CHECK(0);
		}
}

/* cmd as relaxed extended JSON equals want. */
static void check_json(const bson_t *cmd, const char *want)
{
	char *json = bson_as_relaxed_extended_json(cmd, NULL);

	CHECK_STR(json, want);
	bson_free(json);
}

/* The sub-document `key` of cmd into out (static, valid while cmd is). */
static bool sub_doc(const bson_t *cmd, const char *key, bson_t *out)
{
	bson_iter_t top, it;
	const uint8_t *data;
	uint32_t len;

	if (!bson_iter_init(&top, cmd) || !bson_iter_find_descendant(&top, key, &it) ||
	    !(BSON_ITER_HOLDS_DOCUMENT(&it) || BSON_ITER_HOLDS_ARRAY(&it)))
		return false;
	if (BSON_ITER_HOLDS_DOCUMENT(&it))
		bson_iter_document(&it, &len, &data);
	else
		bson_iter_array(&it, &len, &data);
	return bson_init_static(out, data, len);
}

/* cmd has spec's shape (and its sub-document sub_key, when given, sub's)
 * and is exactly json. */
static void check_command(const char *what, const bson_t *cmd, const struct field *spec, const char *sub_key,
			  const struct field *sub, const char *json)
{
	bson_t doc;

	check_shape(what, cmd, spec);
	if (sub_key) {
		CHECK(sub_doc(cmd, sub_key, &doc));
		check_shape(sub_key, &doc, sub);
	}
	check_json(cmd, json);
}

static void test_commands(void)
{
	/* reference/command/<name>, MongoDB 7.0 */
	static const struct field enable_sharding[] = {
		{"enableSharding", BSON_TYPE_UTF8, true}, {"primaryShard", BSON_TYPE_UTF8, false}, {NULL, 0, false}};
	static const struct field create_indexes[] = {
		{"createIndexes", BSON_TYPE_UTF8, true}, {"indexes", BSON_TYPE_ARRAY, true},
		{"writeConcern", BSON_TYPE_DOCUMENT, false}, {"commitQuorum", BSON_TYPE_UTF8, false},
		{"comment", BSON_TYPE_UTF8, false}, {NULL, 0, false}};
	static const struct field index_spec[] = {
		{"key", BSON_TYPE_DOCUMENT, true}, {"name", BSON_TYPE_UTF8, true}, {"unique", BSON_TYPE_BOOL, false},
		{NULL, 0, false}};
	static const struct field shard_collection[] = {
		{"shardCollection", BSON_TYPE_UTF8, true}, {"key", BSON_TYPE_DOCUMENT, true},
		{"unique", BSON_TYPE_BOOL, false}, {"numInitialChunks", ANY_NUMBER, false},
		{"presplitHashedZones", BSON_TYPE_BOOL, false}, {"collation", BSON_TYPE_DOCUMENT, false},
		{"timeseries", BSON_TYPE_DOCUMENT, false}, {NULL, 0, false}};
	/* split: exactly one of find, middle and bounds */
	static const struct field split[] = {
		{"split", BSON_TYPE_UTF8, true}, {"find", BSON_TYPE_DOCUMENT, false}, {"middle", BSON_TYPE_DOCUMENT, false},
		{"bounds", BSON_TYPE_ARRAY, false}, {NULL, 0, false}};
	/* moveChunk: find or bounds, not both; to is the shard's _id */
	static const struct field move_chunk[] = {
		{"moveChunk", BSON_TYPE_UTF8, true}, {"find", BSON_TYPE_DOCUMENT, false}, {"bounds", BSON_TYPE_ARRAY, false},
		{"to", BSON_TYPE_UTF8, true}, {"forceJumbo", BSON_TYPE_BOOL, false},
		{"_secondaryThrottle", BSON_TYPE_BOOL, false}, {"writeConcern", BSON_TYPE_DOCUMENT, false},
		{"_waitForDelete", BSON_TYPE_BOOL, false}, {NULL, 0, false}};
	static const struct field explain[] = {
		{"explain", BSON_TYPE_DOCUMENT, true}, {"verbosity", BSON_TYPE_UTF8, false},
		{"comment", BSON_TYPE_UTF8, false}, {NULL, 0, false}};
	static const struct field find[] = {
		{"find", BSON_TYPE_UTF8, true}, {"filter", BSON_TYPE_DOCUMENT, false}, {"sort", BSON_TYPE_DOCUMENT, false},
		{"projection", BSON_TYPE_DOCUMENT, false}, {"hint", BSON_TYPE_DOCUMENT, false}, {"skip", ANY_NUMBER, false},
		{"limit", ANY_NUMBER, false}, {"batchSize", ANY_NUMBER, false}, {"singleBatch", BSON_TYPE_BOOL, false},
		{"comment", BSON_TYPE_UTF8, false}, {"maxTimeMS", ANY_NUMBER, false}, {NULL, 0, false}};
	bson_t cmd = BSON_INITIALIZER, filter = BSON_INITIALIZER;
	bson_iter_t it, id;

	mongo_cmd_enable_sharding(&cmd, "bench");
	check_command("enableSharding", &cmd, enable_sharding, NULL, NULL, "{ \"enableSharding\" : \"bench\" }");

	bson_reinit(&cmd);
	mongo_cmd_hashed_index(&cmd, "kv_hashed");
	check_command("createIndexes", &cmd, create_indexes, "indexes.0", index_spec, "{ \"createIndexes\" : \"kv_hashed\", \"indexes\" : [ { \"key\" : { \"_id\" : \"hashed\" }, "
			 "\"name\" : \"_id_hashed\" } ] }");

	/* key: { <field>: <1|"hashed"> } */
	bson_reinit(&cmd);
	mongo_cmd_shard_collection(&cmd, "bench.kv_hashed", "hashed");
	check_command("shardCollection", &cmd, shard_collection, NULL, NULL, "{ \"shardCollection\" : \"bench.kv_hashed\", \"key\" : { \"_id\" : \"hashed\" } }");
	bson_reinit(&cmd);
	mongo_cmd_shard_collection(&cmd, "bench.kv_ranged", "1");
	check_command("shardCollection", &cmd, shard_collection, NULL, NULL, "{ \"shardCollection\" : \"bench.kv_ranged\", \"key\" : { \"_id\" : 1 } }");
	CHECK(bson_iter_init(&it, &cmd) && bson_iter_find_descendant(&it, "key._id", &id) && BSON_ITER_HOLDS_INT32(&id) &&
	      bson_iter_int32(&id) == 1);

	bson_reinit(&cmd);
	mongo_cmd_split(&cmd, "bench.kv_ranged", "claim-shard:000000050000");
	check_command("split", &cmd, split, NULL, NULL, "{ \"split\" : \"bench.kv_ranged\", \"middle\" : { \"_id\" : \"claim-shard:000000050000\" } }");

	bson_reinit(&cmd);
	mongo_cmd_move_chunk(&cmd, "bench.kv_ranged", "claim-shard:000000050000", "shard2");
	check_command("moveChunk", &cmd, move_chunk, NULL, NULL, "{ \"moveChunk\" : \"bench.kv_ranged\", \"find\" : { \"_id\" : \"claim-shard:000000050000\" }, "
			 "\"to\" : \"shard2\" }");
	CHECK(!bson_has_field(&cmd, "bounds")); /* find or bounds, not both */

	/* explain: {explain: <command>, verbosity: queryPlanner |
	 * executionStats | allPlansExecution} */
	BSON_APPEND_UTF8(&filter, "_id", "claim-shard:000000003125");
	bson_reinit(&cmd);
	mongo_cmd_explain_find(&cmd, "kv_hashed", &filter, 1);
	check_command("explain", &cmd, explain, "explain", find, "{ \"explain\" : { \"find\" : \"kv_hashed\", \"filter\" : { \"_id\" : \"claim-shard:000000003125\" }, "
			 "\"sort\" : { \"_id\" : 1 }, \"limit\" : 1 }, \"verbosity\" : \"queryPlanner\" }");
	bson_destroy(&filter);
	bson_destroy(&cmd);
}

/* ---- replies, as MongoDB 7.0 writes them ---- */

static bson_t *doc(const char *json)
{
	bson_error_t e;
	bson_t *b = bson_new_from_json((const uint8_t *)json, -1, &e);

	if (!b)
		fprintf(stderr, "  bad canned JSON: %s\n", e.message);
	CHECK(b != NULL);
	return b ? b : bson_new();
}

static void test_replies(void)
{
	/* hello from a mongos of 7.0 (reference/command/hello: "msg":
	 * "isdbgrid" only on mongos), and from a mongod. */
	bson_t *mongos = doc("{\"isWritablePrimary\": true, \"msg\": \"isdbgrid\", \"topologyVersion\": {\"processId\":"
			     " {\"$oid\": \"6742a1f0c2b5d1e3a4f5a6b7\"}, \"counter\": {\"$numberLong\": \"0\"}},"
			     " \"maxBsonObjectSize\": 16777216, \"maxMessageSizeBytes\": 48000000, \"maxWriteBatchSize\": 100000,"
			     " \"localTime\": {\"$date\": \"2024-11-24T06:33:20Z\"}, \"logicalSessionTimeoutMinutes\": 30,"
			     " \"connectionId\": 42, \"maxWireVersion\": 21, \"minWireVersion\": 0, \"ok\": 1.0}");
	bson_t *mongod = doc("{\"isWritablePrimary\": true, \"topologyVersion\": {\"processId\": {\"$oid\":"
			     " \"6742a1f0c2b5d1e3a4f5a6b8\"}, \"counter\": {\"$numberLong\": \"0\"}},"
			     " \"maxBsonObjectSize\": 16777216, \"maxWireVersion\": 21, \"minWireVersion\": 0,"
			     " \"readOnly\": false, \"ok\": 1.0}");
	/* listShards (reference/command/listShards), with the fields 7.0 adds */
	bson_t *shards = doc("{\"shards\": [{\"_id\": \"shard1\", \"host\": \"shard1/mongo-shard1:27018\", \"state\": 1,"
			     " \"topologyTime\": {\"$timestamp\": {\"t\": 1732430000, \"i\": 2}}, \"replSetConfigVersion\":"
			     " {\"$numberLong\": \"-1\"}}, {\"_id\": \"shard2\", \"host\": \"shard2/mongo-shard2:27018\","
			     " \"tags\": [\"NYC\"], \"state\": 1, \"topologyTime\": {\"$timestamp\": {\"t\": 1732430001,"
			     " \"i\": 2}}}], \"ok\": 1, \"$clusterTime\": {\"clusterTime\": {\"$timestamp\": {\"t\": 1732430005,"
			     " \"i\": 1}}, \"signature\": {\"hash\": {\"$binary\": {\"base64\": \"B2ViX7XLzFLS5Fl9XEuFXbwKIM4=\","
			     " \"subType\": \"00\"}}, \"keyId\": {\"$numberLong\": \"6488045157173166092\"}}},"
			     " \"operationTime\": {\"$timestamp\": {\"t\": 1732430005, \"i\": 1}}}");
	bson_t *odd = doc("{\"shards\": [{\"host\": \"x:1\"}, 7, {\"_id\": \"s3\"}], \"ok\": 1}");
	bson_t *none = doc("{\"ok\": 0, \"errmsg\": \"no such command: 'listShards'\", \"code\": 59}");
	/* config.databases (reference/config-database): 6.0 and later have
	 * no "partitioned" */
	bson_t *database = doc("{\"_id\": \"bench\", \"primary\": \"shard2\", \"version\": {\"uuid\": {\"$binary\":"
			       " {\"base64\": \"AAAAAAAAAAAAAAAAAAAAAA==\", \"subType\": \"04\"}}, \"timestamp\": {\"$timestamp\":"
			       " {\"t\": 1732430010, \"i\": 1}}, \"lastMod\": 1}}");
	bson_t *no_primary = doc("{\"_id\": \"bench\", \"primary\": \"\"}");
	/* config.collections: 7.0; before 5.0 a dropped entry stayed; 8.0
	 * lists unsharded collections as unsplittable */
	bson_t *coll70 = doc("{\"_id\": \"bench.kv_ranged\", \"lastmodEpoch\": {\"$oid\": \"6742a1f0c2b5d1e3a4f5a6c0\"},"
			     " \"lastmod\": {\"$date\": \"2024-11-24T06:33:30Z\"}, \"timestamp\": {\"$timestamp\": {\"t\":"
			     " 1732430010, \"i\": 5}}, \"uuid\": {\"$binary\": {\"base64\": \"AAAAAAAAAAAAAAAAAAAAAQ==\","
			     " \"subType\": \"04\"}}, \"key\": {\"_id\": 1}, \"unique\": false, \"noBalance\": false}");
	bson_t *coll44 = doc("{\"_id\": \"bench.kv_ranged\", \"dropped\": true, \"key\": {\"_id\": 1}}");
	bson_t *coll80 = doc("{\"_id\": \"bench.kv\", \"key\": {\"_id\": 1}, \"unsplittable\": true}");
	char names[4][64], primary[64] = "";

	CHECK(mongo_reply_is_mongos(mongos));
	CHECK(!mongo_reply_is_mongos(mongod));
	CHECK_INT(mongo_reply_shards(shards, names, 4), 2);
	CHECK_STR(names[0], "shard1");
	CHECK_STR(names[1], "shard2");
	CHECK_INT(mongo_reply_shards(shards, NULL, 0), 2);
	CHECK_INT(mongo_reply_shards(shards, names, 1), 2); /* counts all, keeps max */
	CHECK_INT(mongo_reply_shards(odd, names, 4), 3);
	CHECK_STR(names[0], "");
	CHECK_STR(names[2], "s3");
	CHECK_INT(mongo_reply_shards(none, names, 4), -1);
	CHECK(mongo_doc_primary(database, primary, sizeof(primary)));
	CHECK_STR(primary, "shard2");
	CHECK(!mongo_doc_primary(no_primary, primary, sizeof(primary)));
	CHECK(mongo_doc_sharded(coll70));
	CHECK(!mongo_doc_sharded(coll44));
	CHECK(!mongo_doc_sharded(coll80));
	bson_destroy(mongos);
	bson_destroy(mongod);
	bson_destroy(shards);
	bson_destroy(odd);
	bson_destroy(none);
	bson_destroy(database);
	bson_destroy(no_primary);
	bson_destroy(coll70);
	bson_destroy(coll44);
	bson_destroy(coll80);
}

int main(void)
{
	test_commands();
	test_replies();
	test_explain();
	test_mean();
	test_keys();
	test_results();
	return check_report("test_sharding_explain");
}
