/*
 * mongo_probe.c - what tests/integration/safety.sh needs of a MongoDB-compatible
 * server without a mongo shell: write a document, read every document back
 * in a stable form, list collections and indexes.
 *
 *   mongo_probe URI insert DB COLL ID VALUE   {_id: ID, v: VALUE}
 *   mongo_probe URI dump DB COLL              every document by _id, one
 *                                             canonical extended JSON line each
 *   mongo_probe URI count DB COLL             number of documents
 *   mongo_probe URI collections DB            collection names, sorted
 *   mongo_probe URI indexes DB COLL           index names, sorted
 *   mongo_probe URI plan DB COLL ID           explain of a find {_id: ID}:
 *                                             its queryPlanner, relaxed
 *                                             extended JSON (FerretDB on
 *                                             SQLite: SQLite's query plan)
 *
 * Exit 0, or 1 with the error on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <mongoc/mongoc.h>

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Prints the "name" of every document of cur, sorted. */
static int print_names(mongoc_cursor_t *cur)
{
	const bson_t *doc;
	bson_error_t e;
	bson_iter_t it;
	char **names = NULL;
	size_t n = 0;

	while (mongoc_cursor_next(cur, &doc)) {
		if (!bson_iter_init_find(&it, doc, "name") || !BSON_ITER_HOLDS_UTF8(&it))
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		names[n++] = strdup(bson_iter_utf8(&it, NULL));
	}
	if (mongoc_cursor_error(cur, &e)) {
		fprintf(stderr, "mongo_probe: %s\n", e.message);
		return 1;
	}
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		printf("%s\n", names[i]);
		free(names[i]);
	}
	free(names);
	return 0;
}

static int run(mongoc_client_t *client, int argc, char **argv)
{
	const char *cmd = argv[2];
	mongoc_collection_t *coll = argc > 4 ? mongoc_client_get_collection(client, argv[3], argv[4]) : NULL;
	bson_error_t e;
	int rc = 1;

	if (strcmp(cmd, "insert") == 0 && argc == 7) {
		bson_t *doc = BCON_NEW("_id", BCON_UTF8(argv[5]), "v", BCON_UTF8(argv[6]));

		rc = mongoc_collection_insert_one(coll, doc, NULL, NULL, &e) ? 0 : 1;
		bson_destroy(doc);
	} else if (strcmp(cmd, "dump") == 0 && argc == 5) {
		bson_t *opts = BCON_NEW("sort", "{", "_id", BCON_INT32(1), "}");
		bson_t filter = BSON_INITIALIZER;
		mongoc_cursor_t *cur = mongoc_collection_find_with_opts(coll, &filter, opts, NULL);
		const bson_t *doc;

		while (mongoc_cursor_next(cur, &doc)) {
			char *json = bson_as_canonical_extended_json(doc, NULL);

			printf("%s\n", json);
			bson_free(json);
		}
		rc = mongoc_cursor_error(cur, &e) ? 1 : 0;
		mongoc_cursor_destroy(cur);
		bson_destroy(opts);
	} else if (strcmp(cmd, "count") == 0 && argc == 5) {
		bson_t filter = BSON_INITIALIZER;
		int64_t n = mongoc_collection_count_documents(coll, &filter, NULL, NULL, NULL, &e);

		if (n >= 0)
			printf("%lld\n", (long long)n);
		rc = n < 0;
	} else if (strcmp(cmd, "collections") == 0 && argc == 4) {
		mongoc_database_t *db = mongoc_client_get_database(client, argv[3]);
		mongoc_cursor_t *cur = mongoc_database_find_collections_with_opts(db, NULL);

		rc = print_names(cur);
		mongoc_cursor_destroy(cur);
		mongoc_database_destroy(db);
		e.message[0] = '\0';
	} else if (strcmp(cmd, "indexes") == 0 && argc == 5) {
		mongoc_cursor_t *cur = mongoc_collection_find_indexes_with_opts(coll, NULL);

		rc = print_names(cur);
		mongoc_cursor_destroy(cur);
		e.message[0] = '\0';
	} else if (strcmp(cmd, "plan") == 0 && argc == 6) {
		bson_t *ex = BCON_NEW("explain", "{", "find", BCON_UTF8(argv[4]), "filter", "{", "_id",
				      BCON_UTF8(argv[5]), "}", "}");
		bson_t reply;
		bson_iter_t it;
		bool ok = mongoc_client_command_simple(client, argv[3], ex, NULL, &reply, &e);

		if (ok)
			snprintf(e.message, sizeof(e.message), "no queryPlanner document in the reply");
		if (ok && bson_iter_init_find(&it, &reply, "queryPlanner") && BSON_ITER_HOLDS_DOCUMENT(&it)) {
			const uint8_t *data;
			uint32_t len;
			bson_t plan;
			char *json;

			bson_iter_document(&it, &len, &data);
			if (bson_init_static(&plan, data, len) && (json = bson_as_relaxed_extended_json(&plan, NULL))) {
				printf("%s\n", json);
				bson_free(json);
				rc = 0;
			}
		}
		bson_destroy(&reply);
		bson_destroy(ex);
	} else {
		snprintf(e.message, sizeof(e.message), "bad arguments (see tests/lib/mongo_probe.c)");
	}
	if (rc && e.message[0])
		fprintf(stderr, "mongo_probe %s: %s\n", cmd, e.message);
	if (coll)
		mongoc_collection_destroy(coll);
	return rc;
}

int main(int argc, char **argv)
{
	mongoc_client_t *client;
	char shm[64];
	int rc;

	/* As bench's main does: a killed probe leaves no counters file whose
	 * pid a later process could reuse (harness/cli/main.c). */
	snprintf(shm, sizeof(shm), "/mongoc-%ld", (long)getpid());
	shm_unlink(shm);

	if (argc < 4) {
		fprintf(stderr, "usage: mongo_probe URI insert|dump|count|collections|indexes|plan ...\n");
		return 1;
	}
	/* Silent before mongoc_init, which itself may warn ("Falling back to
	 * malloc for counters"); FerretDB's "no endSessions" warnings after. */
	mongoc_log_set_handler(NULL, NULL);
	mongoc_init();
	client = mongoc_client_new(argv[1]);
	if (!client) {
		fprintf(stderr, "mongo_probe: bad uri %s\n", argv[1]);
		return 1;
	}
	rc = run(client, argc, argv);
	mongoc_client_destroy(client);
	mongoc_cleanup();
	return rc;
}
