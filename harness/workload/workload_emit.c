/*
 * workload_emit.c - a workload as it ran: its text with the --set
 * overrides applied, written out again as YAML (libyaml's emitter), for
 * the workload.yaml `bench run` saves when flags built or changed the
 * workload (docs/workload-format.md, "Flags").
 */
#include <string.h>
#include <yaml.h>

#include "secret.h"
#include "util.h"
#include "workload.h"
#include "workload_tree.h"

static int put(void *data, unsigned char *buf, size_t len)
{
	sbuf_add(data, (const char *)buf, len);
	return 1;
}

int workload_emit(const char *name, const char *text, size_t len, const struct wl_override *ov, size_t n_ov,
		  char **out, char *err, size_t errlen)
{
	struct wt_ctx c = {.file = name, .text = text, .len = len, .ov = ov, .n_ov = n_ov};
	struct sbuf sb = {0};
	yaml_parser_t p;
	yaml_emitter_t e;
	char *msgs = NULL, why[128];
	int line, col, ok = 0;

	*out = NULL;
	/* The text has been validated by workload_parse: these only fail on
	 * a changed file or out of memory. */
	if (wt_check_text(text, len, &line, &col, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s:%d:%d: %s", name, line, col, why);
		return -1;
	}
	if (!yaml_parser_initialize(&p)) {
		snprintf(err, errlen, "%s: cannot start the YAML parser", name);
		return -1;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	if (!yaml_parser_load(&p, &c.doc) || !yaml_document_get_root_node(&c.doc)) {
		snprintf(err, errlen, "%s: not the YAML it was", name);
		yaml_parser_delete(&p);
		return -1;
	}
	yaml_parser_delete(&p);
	c.n_file_nodes = (int)(c.doc.nodes.top - c.doc.nodes.start);
	wt_apply_overrides(&c);
	wt_finish(&c, &msgs, NULL);
	if (c.n_errors) {
		snprintf(err, errlen, "%s", msgs);
		free(msgs);
		yaml_document_delete(&c.doc);
		return -1;
	}
	free(msgs);
	if (yaml_emitter_initialize(&e)) {
		yaml_emitter_set_output(&e, put, &sb);
		yaml_emitter_set_unicode(&e, 1);
		yaml_emitter_set_width(&e, 120);
		/* yaml_emitter_dump takes the document (and frees it) either way. */
		ok = yaml_emitter_open(&e) && yaml_emitter_dump(&e, &c.doc) && yaml_emitter_close(&e) &&
		     yaml_emitter_flush(&e);
		yaml_emitter_delete(&e);
	} else {
		yaml_document_delete(&c.doc);
	}
	if (!ok) {
		snprintf(err, errlen, "%s: the YAML emitter failed", name);
		free(sb.buf);
		return -1;
	}
	/* A workload holds no password (workload_auth.c); a uri's is masked
	 * all the same, as in every file bench writes. */
	*out = secret_scrub(sb.buf ? sb.buf : "");
	free(sb.buf);
	return 0;
}
