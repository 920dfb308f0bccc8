/* Fuzz harness for the fleet merge's input path: the JSON reader
 * (dnsd/jsonread.c) and the checks of a hosts --json export (dnsd/fleet.c).
 * The input is merged as two sites (the second merge meets the first's
 * hosts); every output format is rendered and the JSON one must read back
 * with as many hosts as the text one has lines for. */
#include <assert.h>
#include <string.h>

#include "fleet.h"
#include "fuzz.h"
#include "jsonread.h"

static size_t
fuzz_fleet_render(const struct fleet *f, enum hostreport_format fmt, struct evbuffer *out)
{
	evbuffer_drain(out, evbuffer_get_length(out));
	assert(fleet_report(f, fmt, out) == 0);
	return evbuffer_get_length(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fleet *f = fleet_new();
	struct evbuffer *out = evbuffer_new();
	struct jsonr j;
	char err[256];

	assert(f && out);
	if (fleet_add(f, "a", (const char *)data, size, err, sizeof err) == 0) {
		assert(fleet_add(f, "b", (const char *)data, size, err, sizeof err) == 0);
		fuzz_fleet_render(f, HOSTREPORT_HTML, out);
		size_t tlen = fuzz_fleet_render(f, HOSTREPORT_TEXT, out);
		char *text = (char *)evbuffer_pullup(out, -1);
		int lines = 0;
		for (size_t i = 0; i < tlen; i++)
			lines += text[i] == '\n';
		size_t len = fuzz_fleet_render(f, HOSTREPORT_JSON, out);
		assert(jsonr_parse(&j, (const char *)evbuffer_pullup(out, -1), len, 1 << 24, err,
		                   sizeof err) == 0);
		int hosts = jsonr_get(&j, 0, "hosts");
		assert(hosts > 0 && j.tok[hosts].type == JSONR_ARR);
		assert(lines == 1 + 2 * j.tok[hosts].n); /* header, two lines a host */
		jsonr_free(&j);
	} else
		assert(err[0] != '\0');
	evbuffer_free(out);
	fleet_free(f);
	return 0;
}
