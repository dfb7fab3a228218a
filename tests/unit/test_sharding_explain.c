/*
 * test_sharding_explain.c - the pieces of sharding that run without a
 * mongos (there is none on the project's machines): the mongodb driver's
 * reading of explain replies as a mongos of MongoDB 7.0 writes them
 * (queryPlanner.winningPlan.shards), the mean over the sampled keys, the
 * sample and split keys (which must be the keys harness/gen/keygen.c makes),
 * and the harness's reading of the driver's per-op shards figures
 * (bench_server_info.shards_per_op) into summary.csv's shards_per_op.
 */
#include <float.h>
#include <math.h>
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

int main(void)
{
	test_explain();
	test_mean();
	test_keys();
	test_results();
	return check_report("test_sharding_explain");
}
