/* Answers dnsd authors itself. Error answers are header + question copies:
 * fast, allocation-free, and never an amplifier. */
#include "synth.h"

size_t
synth_error(const struct msg_query *q, int rcode, bool with_opt, uint8_t *out, size_t cap)
{
	size_t len = msg_write_header_question(q, msg_answer_flags(q, rcode & 0xf), out, cap);
	if (len && (rcode == SYNTH_RCODE_BADVERS || (with_opt && q->edns)))
		len = msg_append_opt(out, len, cap, q->do_bit, (uint8_t)(rcode >> 4));
	return len;
}
