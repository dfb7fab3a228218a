/*
 * fuzz_expect.c - libFuzzer target for the `expect:` language of claim
 * files (claims_expr.c, claims_eval.c).
 *
 * The input is the expression text (up to its first NUL). cx_parse must
 * either succeed with a tree whose every node lies inside the text, or
 * fail with a message and a position inside the text (line >= 1, col >= 1).
 * A parsed expression is evaluated on a small fixed summary.csv (a sweep,
 * repeats, an unsupported op, an empty cell): either a verdict with a
 * reason and figures, or an error with a message. Never a crash, a leak or
 * undefined behaviour. A broken contract aborts, so libFuzzer keeps the
 * input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claims_expr.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char data_csv[] =
	"workload,phase,target,server,op,repeat,sweep_key,sweep_value,ops_per_sec,p99_us,errors,unsupported,ops\n"
	"w,run,a,Redis 7.0.15,get,1,clients,1,100,10,0,0,100\n"
	"w,run,a,Redis 7.0.15,get,2,clients,1,110,12,0,0,110\n"
	"w,run,a,Redis 7.0.15,get,1,clients,8,800,30,0,0,800\n"
	"w,run,a,Redis 7.0.15,get,2,clients,8,790,,0,0,790\n"
	"w,run,b,memcached 1.6.18,range,1,clients,1,unsupported,unsupported,0,50,0\n"
	"w,run,b,memcached 1.6.18,range,2,clients,1,unsupported,unsupported,0,51,0\n"
	"w,load,b,memcached 1.6.18,load,1,clients,1,5000,100,0,0,1000\n"
	"w,drain,a,Redis 7.0.15,get,1,clients,1,0,0,3,0,0\n";

static struct cx_data *data;

static void broken(const char *what, const char *text)
{
	fprintf(stderr, "fuzz_expect: contract broken: %s (expression: '%s')\n", what, text);
	abort();
}

static void check_node(const struct cx_node *n, size_t len, const char *text)
{
	if (!n)
		return;
	if (n->start > n->end || n->end > len || n->line < 1 || n->col < 1)
		broken("a node lies outside the text", text);
	if (n->kind == CX_METRIC && (!n->target || !n->op || !n->column || !cx_known_column(n->column)))
		broken("a metric without its parts", text);
	check_node(n->a, len, text);
	check_node(n->b, len, text);
}

int LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t size)
{
	char *text = xstrndup((const char *)bytes, size);
	struct cx_expr *e = NULL;
	struct cx_error err;
	struct cx_result r;

	if (!data) {
		char msg[1024];

		if (cx_data_read("fixed.csv", data_csv, sizeof(data_csv) - 1, &data, msg, sizeof(msg)) != 0)
			broken(msg, "the fixed data does not load");
	}
	if (cx_parse(text, &e, &err) != 0) {
		if (e || !err.msg[0] || err.line < 1 || err.col < 1)
			broken("a parse error without a message or a position", text);
	} else {
		if (!e || !e->root || strcmp(e->text, text) != 0)
			broken("a parse without its tree", text);
		check_node(e->root, strlen(text), text);
		if (cx_eval(e, data, &r, &err) == 0) {
			if (!r.reason || !r.figures || r.verdict > CX_INCONCLUSIVE)
				broken("a verdict without a reason", text);
			cx_result_free(&r);
		} else if (!err.msg[0]) {
			broken("an evaluation error without a message", text);
		}
	}
	cx_free(e);
	free(text);
	return 0;
}
