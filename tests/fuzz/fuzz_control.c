/* Fuzz harness for the control protocol (dnsd/control.c dispatch, and the
 * commands of ctlcmd.c and hostreport.c: status, stats, flush-cache, reload,
 * hosts in every format, host KEY): the bytes are one request line, run
 * against a daemon's worth of subsystems whose host table holds a few hosts.
 * Every reply must start with "ok\n" or "error: ". */
#include <assert.h>
#include <event2/buffer.h>

#include "control.h"
#include "fuzz.h"
#include "fuzz_daemon.h"

static struct control *fuzz_ctl;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[CONFIG_ERR_MAX];

	(void)argc;
	(void)argv;
	fuzz_daemon_start("fuzz_control");
	/* The socket is bound but never served: requests go to dispatch. */
	if ((fuzz_ctl = control_new(fuzz_daemon.base, fuzz_scratch_path("ctl.sock"), err,
	                            sizeof err)) == NULL) {
		fprintf(stderr, "fuzz_control: %s\n", err);
		abort();
	}
	if (ctlcmd_register(fuzz_ctl, &fuzz_daemon.src) < 0)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char line[CONTROL_LINE_MAX + 1];
	struct evbuffer *out = evbuffer_new();
	char head[8] = "";

	if (out == NULL)
		abort();
	/* A connection hands over at most one line, without its newline. */
	if (size > CONTROL_LINE_MAX)
		size = CONTROL_LINE_MAX;
	memcpy(line, data, size);
	line[size] = '\0';
	line[strcspn(line, "\n")] = '\0';
	control_dispatch(fuzz_ctl, line, out);
	evbuffer_copyout(out, head, sizeof head - 1);
	assert(strncmp(head, "ok\n", 3) == 0 || strncmp(head, "error: ", 7) == 0);
	evbuffer_free(out);
	return 0;
}
