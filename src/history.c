/* Spelling out the history string (history.h). */
#include "tlsd/history.h"

#include <ctype.h>
#include <string.h>

/* Zeek's letters (upper case: sent by the client). */
static const char *letter_name(char up)
{
	switch (up) {
	case 'H': return "hello_request";
	case 'C': return "client_hello";
	case 'S': return "server_hello";
	case 'V': return "hello_verify_request";
	case 'T': return "new_session_ticket";
	case 'X': return "certificate";
	case 'K': return "server_key_exchange";
	case 'R': return "certificate_request";
	case 'N': return "server_hello_done";
	case 'Y': return "certificate_verify";
	case 'G': return "client_key_exchange";
	case 'F': return "finished";
	case 'W': return "certificate_url";
	case 'U': return "certificate_status";
	case 'A': return "supplemental_data";
	case 'Z': return "handshake message of an unassigned type";
	case 'I': return "change_cipher_spec";
	case 'B': return "heartbeat";
	case 'D': return "encrypted record (handshake or application data)";
	case 'E': return "end_of_early_data";
	case 'O': return "encrypted_extensions";
	case 'P': return "key_update";
	case 'M': return "message_hash";
	case 'J': return "hello_retry_request";
	case 'L': return "alert";
	case 'Q': return "bytes that are not TLS (or an unknown record type)";
	default: return NULL;
	}
}

static bool symbol(char c, struct tlsd_history_step *st)
{
	switch (c) {
	case '}': st->who = "client"; st->what = "FIN (closes its side)"; return true;
	case '{': st->who = "server"; st->what = "FIN (closes its side)"; return true;
	case '!': st->who = "client"; st->what = "RST (reset)"; return true;
	case '|': st->who = "server"; st->what = "RST (reset)"; return true;
	case '#': st->who = "middlebox"; st->what = "RST (reset) not sent by either peer"; return true;
	case '~': st->who = NULL; st->what = "bytes missing from the capture (a gap)"; return true;
	case '@': st->who = NULL; st->what = "idle past --idle-timeout (capture time)"; return true;
	case '%': st->who = NULL; st->what = "renegotiation started (encrypted handshake after the handshake)"; return true;
	case '^': st->who = NULL; st->what = "client and server roles swapped (the ClientHello came from the other side)"; return true;
	case '+': st->who = NULL; st->what = "history cut here (too long)"; return true;
	default: return false;
	}
}

bool tlsd_history_next(const char *h, size_t *pos, struct tlsd_history_step *out)
{
	struct tlsd_history_step st = {{0}, NULL, NULL};
	char c;
	size_t n = 1;

	if (!h || !(c = h[*pos]))
		return false;
	st.sym[0] = c;
	if (isalpha((unsigned char)c)) {
		char up = (char)toupper((unsigned char)c);

		st.who = c == up ? "client" : "server";
		st.what = letter_name(up);
		if (up == 'D' && h[*pos + 1] == '*') {
			st.sym[1] = '*';
			st.what = "a run of 4 or more encrypted records";
			n = 2;
		}
	} else if (!symbol(c, &st)) {
		st.who = NULL;
	}
	if (!st.what)
		st.what = "unknown symbol";
	*pos += n;
	*out = st;
	return true;
}
