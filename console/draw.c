/*
 * draw: see draw.h. Every cell is written through draw_put(), which fits UTF-8
 * text into a number of columns with text_fit (wcwidth) and pads the
 * rest, so wide, combining and right-to-left characters never push the
 * layout out of place. Nothing here changes the state.
 */
#include "draw.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "draw_int.h"
#include "keys.h"
#include "text.h"

static bool started;
static bool colors;

attr_t
draw_pair(int p)
{
	return colors ? COLOR_PAIR(p) : A_BOLD;
}

int
draw_start(char *err, size_t errlen)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		snprintf(err, errlen, "needs a terminal");
		return -1;
	}
	if (initscr() == NULL) {
		snprintf(err, errlen, "cannot start the terminal (TERM?)");
		return -1;
	}
	started = true;
	cbreak();               /* Ctrl-C stays a signal */
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	if (has_colors() && start_color() == OK) {
		use_default_colors();
		init_pair(PAIR_OPEN, COLOR_GREEN, -1);
		init_pair(PAIR_BUSY, COLOR_YELLOW, -1);
		init_pair(PAIR_CLOSED, COLOR_RED, -1);
		init_pair(PAIR_NEW, COLOR_CYAN, -1);
		init_pair(PAIR_ROOM, COLOR_BLACK, COLOR_GREEN);
		init_pair(PAIR_ERROR, COLOR_RED, -1);
		init_pair(PAIR_APPT, COLOR_MAGENTA, -1);
		colors = true;
	}
	return 0;
}

void
draw_stop(void)
{
	if (!started)
		return;
	started = false;
	curs_set(1);
	endwin();
}

int
draw_key(void)
{
	wint_t ch;
	int r = get_wch(&ch);

	if (r == ERR)
		return -1;
	if (r == KEY_CODE_YES) {
		switch (ch) {
		case KEY_UP:
			return CK_UP;
		case KEY_DOWN:
			return CK_DOWN;
		case KEY_LEFT:
			return CK_LEFT;
		case KEY_RIGHT:
			return CK_RIGHT;
		case KEY_HOME:
			return CK_HOME;
		case KEY_END:
			return CK_END;
		case KEY_BTAB:
			return CK_BTAB;
		case KEY_ENTER:
			return CK_ENTER;
		case KEY_BACKSPACE:
			return CK_BACKSPACE;
		case KEY_RESIZE:
			return CK_RESIZE;
		case KEY_PPAGE:
			return CK_PGUP;
		case KEY_NPAGE:
			return CK_PGDN;
		default:
			return 0;
		}
	}
	return (int)ch;
}

void
draw_resize(void)
{
	struct winsize ws;

	if (!started)
		return;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0)
		resize_term(ws.ws_row, ws.ws_col);
	clearok(curscr, TRUE);
}

void
draw_bell(void)
{
	if (started)
		beep();
}

/* --- helpers --- */

void
draw_put(int y, int x, int w, attr_t attr, const char *s)
{
	char buf[2048];
	int used;

	if (w <= 0)
		return;
	used = text_fit(s, w, buf, sizeof(buf));
	attrset(attr);
	mvaddstr(y, x, buf);
	for (int i = used; i < w; i++)
		addch(' ');
	attrset(A_NORMAL);
}

void
draw_put_right(int y, int x, int w, attr_t attr, const char *s)
{
	int sw = text_width(s);

	if (sw > w)
		sw = w;
	draw_put(y, x + w - sw, sw, attr, s);
}

static void
fmt_duration(int64_t secs, char *out, size_t len)
{
	if (secs < 0)
		secs = 0;
	if (secs >= 3600)
		snprintf(out, len, "%lld:%02lld:%02lld", (long long)(secs / 3600),
		    (long long)(secs / 60 % 60), (long long)(secs % 60));
	else
		snprintf(out, len, "%lld:%02lld", (long long)(secs / 60),
		    (long long)(secs % 60));
}

static void
fmt_clock(int64_t epoch, char *out, size_t len)
{
	time_t t = (time_t)epoch;
	struct tm tm;

	if (epoch <= 0 || localtime_r(&t, &tm) == NULL) {
		snprintf(out, len, "–");
		return;
	}
	strftime(out, len, "%H:%M", &tm);
}

static const char *
who(const char *name)
{
	return name[0] ? name : "anonym";
}

static attr_t
status_attr(enum con_status s)
{
	switch (s) {
	case CON_S_OPEN:
		return draw_pair(PAIR_OPEN);
	case CON_S_BUSY:
		return draw_pair(PAIR_BUSY);
	case CON_S_CLOSED:
		return draw_pair(PAIR_CLOSED);
	case CON_S_UNKNOWN:
		break;
	}
	return A_NORMAL;
}

/* --- parts of the screen --- */

static void
draw_title(const struct con_state *st, int cols, int64_t now)
{
	char left[512], right[128];

	snprintf(left, sizeof(left), " klopf · %s @ %s · %s",
	    st->clerk[0] ? st->clerk : st->user, st->server,
	    state_presence_label(state_presence(st)));
	if (st->has_room && st->chosen == CON_P_AWAY)
		snprintf(left + strlen(left), sizeof(left) - strlen(left),
		    " (danach abwesend)");
	switch (st->conn) {
	case CON_ONLINE:
		snprintf(right, sizeof(right), "● verbunden ");
		break;
	case CON_AUTH:
		snprintf(right, sizeof(right), "Anmeldung … ");
		break;
	case CON_LOST: {
		int64_t s = (st->retry_at - now + 999) / 1000;

		snprintf(right, sizeof(right), "○ getrennt – neuer Versuch in "
		    "%lld s ", (long long)(s > 0 ? s : 0));
		break;
	}
	case CON_IDLE:
	case CON_CONNECTING:
		snprintf(right, sizeof(right), "verbinde … ");
		break;
	}
	draw_put(0, 0, cols, A_REVERSE, left);
	if (text_width(left) + text_width(right) < cols)
		draw_put_right(0, 0, cols, A_REVERSE |
		    (st->conn == CON_LOST ? A_BOLD : 0), right);
}

static void
draw_room(const struct con_state *st, int y, int cols, int64_t now)
{
	char line[1024], since[16], dur[24], vlabel[64];
	const char *video = state_video_label(st);
	const struct con_office *o;
	int vw = 0;

	/* the video window's state at the right end, the rest before it */
	if (video != NULL) {
		snprintf(vlabel, sizeof(vlabel), " %s ", video);
		vw = text_width(vlabel);
		if (vw > cols / 2)
			vw = 0;
	}
	if (!st->has_room) {
		draw_put(y, 0, cols - vw, A_DIM, " Kein Gespräch offen.");
		if (vw > 0)
			draw_put_right(y, 0, cols, A_DIM, vlabel);
		return;
	}
	o = state_office(st, st->room.office);
	fmt_clock(st->room.opened_at, since, sizeof(since));
	fmt_duration(st->room.opened_at > 0 ?
	    now / 1000 - st->room.opened_at : 0, dur, sizeof(dur));
	snprintf(line, sizeof(line), " Im Gespräch: %s%s%s · %s · seit %s "
	    "(%s)", who(st->room.name),
	    st->room.topic[0] ? " – " : "", st->room.topic,
	    o ? o->name : st->room.office, since, dur);
	draw_put(y, 0, cols - vw, draw_pair(PAIR_ROOM) | A_BOLD, line);
	if (vw > 0)
		draw_put_right(y, 0, cols, draw_pair(PAIR_ROOM) |
		    (st->video.phase == CON_VIDEO_RUNNING ? A_BOLD : 0), vlabel);
}

static bool
office_has_new(const struct con_office *o, int64_t now)
{
	for (size_t i = 0; i < o->ntickets; i++)
		if (state_ticket_is_new(&o->tickets[i], now))
			return true;
	return false;
}

/*
 * The clerk's offices: two lines each (name and count; status) when there
 * is room, else one (the name in the status's colour).
 */
static void
draw_offices(const struct con_state *st, int y0, int h, int w, int64_t now)
{
	const struct con_office *cur = state_current(st);
	int y = y0, nmine = 0, at = 0, skip, per;

	for (int i = 0; i < st->noffices; i++) {
		if (!st->offices[i].mine)
			continue;
		if (&st->offices[i] == cur)
			at = nmine;
		nmine++;
	}
	per = nmine * 2 <= h ? 2 : 1;
	skip = at < h / per ? 0 : at - h / per + 1;
	for (int i = 0; i < st->noffices && y + per <= y0 + h; i++) {
		const struct con_office *o = &st->offices[i];
		char count[16], line[64];
		attr_t a = o == cur ? A_REVERSE | A_BOLD : A_NORMAL;
		int nw = w - 2 - 4;

		if (!o->mine || skip-- > 0)
			continue;
		snprintf(count, sizeof(count), "%zu ", o->ntickets);
		draw_put(y, 0, 1, a, o == cur ? "▸" : " ");
		draw_put(y, 1, 1, a | draw_pair(PAIR_NEW), office_has_new(o, now) ?
		    "●" : " ");
		draw_put(y, 2, nw, a | (per == 1 && o != cur ?
		    status_attr(o->status) : 0), o->name);
		draw_put(y, 2 + nw, 4, a, "");
		draw_put_right(y, 2 + nw, 4, a, count);
		y++;
		if (per == 2) {
			snprintf(line, sizeof(line), "  %s",
			    state_status_label(o->status));
			draw_put(y, 0, w, status_attr(o->status), line);
			y++;
		}
	}
	if (nmine == 0)
		draw_put(y++, 0, w, A_DIM, st->conn == CON_ONLINE ?
		    " (keine Ämter)" : " –");
	for (; y < y0 + h; y++)
		draw_put(y, 0, w, A_NORMAL, "");
}

static void
draw_queue(const struct con_state *st, int y0, int h, int x0, int w,
    int64_t now)
{
	const struct con_office *o = state_current(st);
	size_t idx[4096], n;
	int at = -1, skip, y = y0;
	int fixed = 5 + 2 + 1 + 1 + 3 + 1 + 1 + 7;
	int nw, tw;
	char line[512];

	nw = (w - fixed) * 45 / 100;
	if (nw > 28)
		nw = 28;
	tw = w - fixed - nw;
	if (o == NULL) {
		for (; y < y0 + h; y++)
			draw_put(y, x0, w, A_NORMAL, "");
		return;
	}
	n = state_visible(st, o, idx, sizeof(idx) / sizeof(idx[0]));
	for (size_t i = 0; i < n; i++)
		if (o->tickets[idx[i]].id == o->selected)
			at = (int)i;
	/* column heads */
	draw_put(y, x0, 5, A_UNDERLINE, "  Nr");
	draw_put(y, x0 + 5, 3, A_UNDERLINE, "");
	draw_put(y, x0 + 8, nw + 1, A_UNDERLINE, "Name");
	draw_put(y, x0 + 9 + nw, 4, A_UNDERLINE, "Spr");
	draw_put(y, x0 + 13 + nw, tw + 1, A_UNDERLINE, "Anliegen");
	draw_put_right(y, x0 + 14 + nw + tw, w - 14 - nw - tw, A_UNDERLINE,
	    "Wartet ");
	y++;
	h--;
	skip = at < h ? 0 : at - h + 1;
	for (size_t i = (size_t)skip; i < n && y < y0 + 1 + h; i++) {
		const struct con_ticket *t = &o->tickets[idx[i]];
		bool sel = (int)i == at;
		attr_t a = sel ? A_REVERSE : A_NORMAL;
		char wait[24];
		char flag[16];

		snprintf(line, sizeof(line), "%s%3zu", sel ? ">" : " ",
		    idx[i] + 1);
		draw_put(y, x0, 5, a | (sel ? A_BOLD : 0), line);
		snprintf(flag, sizeof(flag), "%s%s",
		    state_ticket_is_new(t, now) ? "●" : " ",
		    t->transferred_from ? "↪" : t->priority > 0 ? "T" : " ");
		draw_put(y, x0 + 5, 3, a | draw_pair(t->appointment ? PAIR_APPT :
		    PAIR_NEW), flag);
		draw_put(y, x0 + 8, nw + 1, a | (t->name[0] ? 0 : A_DIM) |
		    (t->priority > 0 ? A_BOLD : 0), who(t->name));
		draw_put(y, x0 + 9 + nw, 4, a, t->lang);
		if (t->appointment > 0 && tw > 14) {
			/* "Termin 10:30", bold once the slot has begun */
			char slot[16];

			fmt_clock(t->appointment, slot, sizeof(slot));
			snprintf(line, sizeof(line), "Termin %s", slot);
			draw_put(y, x0 + 13 + nw, 13, a | draw_pair(PAIR_APPT) |
			    (t->priority > 0 ? A_BOLD : 0), line);
			draw_put(y, x0 + 26 + nw, tw - 12, a, t->topic);
		} else {
			draw_put(y, x0 + 13 + nw, tw + 1, a, t->topic);
		}
		if (t->knocked_at > 0)
			fmt_duration(now / 1000 - t->knocked_at, wait,
			    sizeof(wait));
		else
			snprintf(wait, sizeof(wait), "–");
		snprintf(line, sizeof(line), "%s ", wait);
		draw_put(y, x0 + 14 + nw + tw, w - 14 - nw - tw, a, "");
		draw_put_right(y, x0 + 14 + nw + tw, w - 14 - nw - tw, a, line);
		y++;
	}
	if (n == 0 && y < y0 + 1 + h) {
		draw_put(y++, x0, w, A_DIM, o->ntickets > 0 ?
		    "   Niemand passt zum Filter." : "   Niemand wartet.");
	}
	for (; y < y0 + 1 + h; y++)
		draw_put(y, x0, w, A_NORMAL, "");
}

static void
draw_details(const struct con_state *st, int y0, int h, int cols,
    int64_t now)
{
	const struct con_ticket *t = state_selected(st);
	const struct con_office *o = state_current(st);
	char line[1024], knocked[16], wait[24];
	int y = y0;

	if (h <= 0)
		return;
	if (t == NULL) {
		draw_put(y++, 0, cols, A_DIM, st->conn == CON_ONLINE || st->ever_online ?
		    " Niemand ausgewählt." : " Noch nicht angemeldet.");
	} else {
		fmt_clock(t->knocked_at, knocked, sizeof(knocked));
		fmt_duration(t->knocked_at > 0 ? now / 1000 - t->knocked_at : 0,
		    wait, sizeof(wait));
		snprintf(line, sizeof(line), " %s", who(t->name));
		draw_put(y, 0, cols, A_BOLD, line);
		line[0] = '\0';
		if (t->appointment > 0) {
			/* first: it is why this person goes ahead */
			char at[16];

			fmt_clock(t->appointment, at, sizeof(at));
			snprintf(line, sizeof(line), " · Termin %s%s", at,
			    t->priority > 0 ? "" : " (noch nicht begonnen)");
		}
		snprintf(line + strlen(line), sizeof(line) - strlen(line),
		    " · Ticket %lld · Sprache %s · geklopft %s · wartet %s",
		    (long long)t->id, t->lang[0] ? t->lang : "–", knocked, wait);
		{
			int nw = text_width(who(t->name)) + 1;

			if (nw < cols)
				draw_put(y, nw, cols - nw, A_NORMAL, line);
		}
		y++;
		if (y < y0 + h) {
			snprintf(line, sizeof(line), " Anliegen: %s",
			    t->topic[0] ? t->topic : "–");
			draw_put(y++, 0, cols, A_NORMAL, line);
		}
		if (y < y0 + h && t->transferred_from) {
			snprintf(line, sizeof(line), " ↪ weitergeleitet (vorher "
			    "Ticket %lld)%s%s", (long long)t->transferred_from,
			    t->note[0] ? ": " : "", t->note);
			draw_put(y++, 0, cols, draw_pair(PAIR_NEW), line);
		}
		if (y < y0 + h && o != NULL && o->anonymous)
			draw_put(y++, 0, cols, A_DIM, " Anonyme Beratung: kein Name, "
			    "keine Akte.");
	}
	for (; y < y0 + h; y++)
		draw_put(y, 0, cols, A_NORMAL, "");
}

void
draw_list(int y0, int x0, int h, int w, const char *title,
    const char *const *items, int n, int choice)
{
	int rows = n < h - 2 ? n : h - 2, skip;

	if (rows < 1 || w < 10)
		return;
	y0 += h - (rows + 2);
	skip = choice < rows ? 0 : choice - rows + 1;
	attrset(A_NORMAL);
	mvaddch(y0, x0, ACS_ULCORNER);
	mvhline(y0, x0 + 1, ACS_HLINE, w - 2);
	mvaddch(y0, x0 + w - 1, ACS_URCORNER);
	{
		char t[300];

		snprintf(t, sizeof(t), " %s ", title);
		draw_put(y0, x0 + 2, w - 4 < text_width(t) ? w - 4 : text_width(t),
		    A_BOLD, t);
	}
	for (int i = 0; i < rows; i++) {
		int k = i + skip;
		char line[600];

		mvaddch(y0 + 1 + i, x0, ACS_VLINE);
		snprintf(line, sizeof(line), " %s", items[k]);
		draw_put(y0 + 1 + i, x0 + 1, w - 2, k == choice ? A_REVERSE : 0,
		    line);
		mvaddch(y0 + 1 + i, x0 + w - 1, ACS_VLINE);
	}
	mvaddch(y0 + 1 + rows, x0, ACS_LLCORNER);
	mvhline(y0 + 1 + rows, x0 + 1, ACS_HLINE, w - 2);
	mvaddch(y0 + 1 + rows, x0 + w - 1, ACS_LRCORNER);
}

static void
draw_prompt_list(const struct con_state *st, int y0, int h, int x0, int w)
{
	const char *items[CON_MAX_OFFICES > CON_MAX_DECLINE ? CON_MAX_OFFICES :
	    CON_MAX_DECLINE];
	char labels[CON_MAX_OFFICES][CON_NAME + 32];
	char title[256];
	int idx[CON_MAX_OFFICES], n = 0;

	if (st->prompt.kind == CON_PROMPT_DECLINE && st->ndecline > 0) {
		for (int i = 0; i < st->ndecline; i++)
			items[n++] = st->decline[i];
		snprintf(title, sizeof(title), "Fertige Nachrichten (↑/↓)");
		draw_list(y0, x0, h, w, title, items, n, st->prompt.choice);
	} else if (st->prompt.kind == CON_PROMPT_TRANSFER_OFFICE) {
		n = state_transfer_targets(st, idx, CON_MAX_OFFICES);
		for (int i = 0; i < n; i++) {
			const struct con_office *o = &st->offices[idx[i]];

			snprintf(labels[i], sizeof(labels[i]), "%s (%s)",
			    o->name, state_status_label(o->status));
			items[i] = labels[i];
		}
		snprintf(title, sizeof(title), "Weiterleiten an …");
		draw_list(y0, x0, h, w, title, items, n, st->prompt.choice);
	} else if (st->prompt.kind == CON_PROMPT_BLOCK_OFFICE) {
		n = state_block_offices(st, idx, CON_MAX_OFFICES);
		for (int i = 0; i < n; i++)
			items[i] = st->offices[idx[i]].name;
		snprintf(title, sizeof(title), "Zeit sperren bei …");
		draw_list(y0, x0, h, w, title, items, n, st->prompt.choice);
	}
}

/* The status line, or the prompt with the cursor after its text. */
static void
draw_status(const struct con_state *st, int y, int cols)
{
	const struct con_prompt_state *p = &st->prompt;
	const struct con_office *target;
	char label[700], shown[1100], when[40];
	const char *text = p->text;
	int lw, avail;

	switch (p->kind) {
	case CON_PROMPT_NONE:
		curs_set(0);
		draw_put(y, 0, cols, st->status_level == CON_ERROR ?
		    draw_pair(PAIR_ERROR) | A_BOLD : A_NORMAL, st->status);
		return;
	case CON_PROMPT_QUIT:
		curs_set(0);
		snprintf(label, sizeof(label), "Das Gespräch mit %s ist offen. "
		    "Trotzdem beenden? (j/n)", who(p->who));
		draw_put(y, 0, cols, A_BOLD, label);
		return;
	case CON_PROMPT_TRANSFER_OFFICE:
		curs_set(0);
		snprintf(label, sizeof(label), "%s weiterleiten: Amt wählen "
		    "(↑/↓, Enter)", who(p->who));
		draw_put(y, 0, cols, A_BOLD, label);
		return;
	case CON_PROMPT_BLOCK_OFFICE:
		curs_set(0);
		draw_put(y, 0, cols, A_BOLD, "Zeit sperren: Amt wählen (↑/↓, "
		    "Enter)");
		return;
	case CON_PROMPT_UNBLOCK:
		curs_set(0);
		agenda_fmt_when(p->when, when, sizeof(when));
		snprintf(label, sizeof(label), "Sperre %s aufheben? (j/n)",
		    when);
		draw_put(y, 0, cols, A_BOLD, label);
		return;
	case CON_PROMPT_CANCEL_BOOKING:
		snprintf(label, sizeof(label), "%s absagen – Nachricht: ",
		    who(p->who));
		break;
	case CON_PROMPT_BLOCK_TIME:
		snprintf(label, sizeof(label), "Zeit sperren, TT.MM. HH:MM: ");
		break;
	case CON_PROMPT_BLOCK_NOTE:
		snprintf(label, sizeof(label), "Notiz zur Sperre (optional): ");
		break;
	case CON_PROMPT_PASSWORD:
		snprintf(label, sizeof(label), "Passwort für %s: ", st->user);
		text = "";      /* never shown */
		break;
	case CON_PROMPT_DECLINE:
		snprintf(label, sizeof(label), "%s ablehnen – Nachricht: ",
		    who(p->who));
		break;
	case CON_PROMPT_TRANSFER_NOTE:
		target = state_office(st, p->target);
		snprintf(label, sizeof(label), "An %s – Notiz (optional): ",
		    target ? target->name : p->target);
		break;
	case CON_PROMPT_FILTER:
		snprintf(label, sizeof(label), "Filter: ");
		break;
	}
	lw = text_width(label);
	if (lw > cols / 2) {
		draw_put(y, 0, cols / 2, A_BOLD, label);
		lw = cols / 2;
	} else {
		draw_put(y, 0, lw, A_BOLD, label);
	}
	avail = cols - lw - 1;
	/* Show the end of a long text. */
	while (text_width(text) > avail && *text) {
		uint32_t cp;

		text += text_decode(text, strlen(text), &cp);
	}
	text_fit(text, avail, shown, sizeof(shown));
	draw_put(y, lw, cols - lw, A_NORMAL, shown);
	move(y, lw + text_width(shown));
	curs_set(1);
}

static void
draw_bar(const struct con_state *st, int y, int cols)
{
	char bar[1024];

	keys_bar(st, cols - 1, bar, sizeof(bar));
	draw_put(y, 0, 1, A_REVERSE, " ");
	draw_put(y, 1, cols - 1, A_REVERSE, bar);
}

static void
draw_help(const struct con_state *st, int rows, int cols)
{
	const struct key_binding *table = keys_main;
	size_t count = keys_main_count;
	int y = 2, x = 0, colw = cols, below;

	if (st->view == CON_VIEW_AGENDA) {
		table = keys_agenda;
		count = keys_agenda_count;
	}

	draw_put(0, 0, cols, A_REVERSE, " klopf – Tasten (jede Taste schließt die "
	    "Hilfe; mehr in man klopf)");
	for (int r = 1; r < rows - 1; r++)
		draw_put(r, 0, cols, A_NORMAL, "");
	below = 2 + (int)count + 2 + (int)keys_prompt_count <= rows - 1;
	if (!below)
		colw = cols >= 80 ? 50 : cols * 6 / 10;
	draw_put(1, 0, colw, A_BOLD, st->view == CON_VIEW_AGENDA ?
	    " Termine (g)" : " Hauptansicht");
	for (size_t i = 0; i < count && y < rows - 1; i++) {
		const struct key_binding *k = &table[i];

		draw_put(y, 1, 11, A_BOLD, k->names);
		draw_put(y, 12, colw - 12, A_NORMAL, k->help);
		y++;
	}
	if (below) {
		y++;
	} else {
		x = colw + 1;
		y = 1;
	}
	if (x >= cols - 10)
		return;
	draw_put(y++, x, cols - x, A_BOLD, " In Eingabezeilen");
	for (size_t i = 0; i < keys_prompt_count && y < rows - 1; i++) {
		draw_put(y, x + 1, 9, A_BOLD, keys_prompt[i].names);
		draw_put(y, x + 10, cols - x - 10, A_NORMAL, keys_prompt[i].help);
		y++;
	}
}

/* The invitation link, once (state_invite.c): a page of its own, the
 * link unbroken where it fits and cut into whole lines of the width where
 * it does not, so that a terminal selection copies it. */
static void
draw_invitation(const struct con_state *st, int rows, int cols)
{
	const struct con_invitation *inv = &st->invitation;
	char line[512], until[16];
	size_t len = strlen(inv->link);
	int y = 1, w = cols - 2;

	draw_put(0, 0, cols, A_REVERSE, " klopf – Einladung für einen Gast "
	    "(jede Taste schließt)");
	for (int r = 1; r < rows - 1; r++)
		draw_put(r, 0, cols, A_NORMAL, "");
	fmt_clock(inv->expires_at, until, sizeof(until));
	draw_put(++y, 0, cols, A_BOLD, " Mit diesem Link kommt eine weitere");
	snprintf(line, sizeof(line), " Person ins Gespräch mit %s,",
	    who(st->room.name));
	draw_put(++y, 0, cols, A_BOLD, line);
	draw_put(++y, 0, cols, A_BOLD, " zum Beispiel eine Dolmetscherin.");
	y++;
	for (size_t at = 0; at < len && y < rows - 6; at += (size_t)w) {
		snprintf(line, sizeof(line), "%.*s", w, inv->link + at);
		draw_put(++y, 1, w, draw_pair(PAIR_ROOM) | A_BOLD, line);
	}
	y++;
	snprintf(line, sizeof(line), " Gültig bis %s Uhr, nur einmal verwendbar.",
	    until);
	draw_put(++y, 0, cols, A_NORMAL, line);
	draw_put(++y, 0, cols, A_NORMAL, " Geben Sie ihn nur dieser Person.");
	draw_put(++y, 0, cols, A_NORMAL, " Nach dem Schließen wird er nicht");
	draw_put(++y, 0, cols, A_NORMAL, " mehr gezeigt; i erstellt einen neuen.");
}

/* The main view's middle: offices on the left, the queue on the right,
 * rows top .. top + list_h - 1 and the section heads above them. */
static void
draw_queue_view(const struct con_state *st, int top, int list_h, int left,
    int cols, int64_t now)
{
	/* section heads */
	draw_put(2, 0, left, A_BOLD | A_UNDERLINE, " Ämter");
	{
		const struct con_office *o = state_current(st);
		char head[512];
		size_t idx[4096], n = 0;

		if (o != NULL)
			n = state_visible(st, o, idx, sizeof(idx) / sizeof(idx[0]));
		if (o == NULL)
			snprintf(head, sizeof(head), " Warteschlange");
		else if (st->filter[0])
			snprintf(head, sizeof(head), " Warteschlange %s · %zu "
			    "wartend · Filter „%s“: %zu", o->name, o->ntickets,
			    st->filter, n);
		else
			snprintf(head, sizeof(head), " Warteschlange %s · %zu "
			    "wartend", o->name, o->ntickets);
		draw_put(2, left, cols - left, A_BOLD | A_UNDERLINE, head);
	}
	draw_offices(st, top, list_h, left - 1, now);
	for (int y = top; y < top + list_h; y++)
		mvaddch(y, left - 1, ACS_VLINE);
	draw_queue(st, top, list_h, left, cols - left, now);
	if (st->prompt.kind == CON_PROMPT_DECLINE ||
	    st->prompt.kind == CON_PROMPT_TRANSFER_OFFICE)
		draw_prompt_list(st, top + 1, list_h - 1, left + 1,
		    cols - left - 1);
}

void
draw_screen_size(const struct con_state *st, int rows, int cols, int64_t now)
{
	int left, top = 3, detail_h, list_h, status_y = rows - 2;

	if (st->redraw_all)
		clearok(curscr, TRUE);
	if (rows < DRAW_MIN_ROWS || cols < DRAW_MIN_COLS) {
		erase();
		draw_put(0, 0, cols, A_BOLD, "klopf: Fenster zu klein");
		if (rows > 1)
			draw_put(1, 0, cols, A_NORMAL, "mindestens 50×12");
		curs_set(0);
		refresh();
		return;
	}
	if (st->help) {
		curs_set(0);
		draw_help(st, rows, cols);
		draw_bar(st, rows - 1, cols);
		refresh();
		return;
	}
	if (st->invitation.shown) {
		curs_set(0);
		draw_invitation(st, rows, cols);
		draw_bar(st, rows - 1, cols);
		refresh();
		return;
	}
	left = cols * 28 / 100;
	if (left < 18)
		left = 18;
	if (left > 30)
		left = 30;
	detail_h = rows / 6;
	if (detail_h < 3)
		detail_h = 3;
	if (detail_h > 6)
		detail_h = 6;
	list_h = status_y - 1 - detail_h - top;

	draw_title(st, cols, now);
	draw_room(st, 1, cols, now);
	if (st->view == CON_VIEW_AGENDA) {
		draw_agenda(st, 2, list_h + 1, cols, now);
		if (st->prompt.kind == CON_PROMPT_BLOCK_OFFICE)
			draw_prompt_list(st, top + 1, list_h - 1, left + 1,
			    cols - left - 1);
		else if (st->prompt.kind == CON_PROMPT_BLOCK_TIME)
			draw_agenda_prompt_list(st, top + 1, list_h - 1,
			    left + 1, cols - left - 1);
	} else {
		draw_queue_view(st, top, list_h, left, cols, now);
	}

	/* details */
	attrset(A_NORMAL);
	mvhline(top + list_h, 0, ACS_HLINE, cols);
	draw_put(top + list_h, 2, 9, A_BOLD, " Details ");
	if (st->view == CON_VIEW_AGENDA)
		draw_agenda_details(st, top + list_h + 1, detail_h, cols);
	else
		draw_details(st, top + list_h + 1, detail_h, cols, now);

	/* While a prompt has the status line, what happened shows above it. */
	if (st->prompt.kind != CON_PROMPT_NONE && st->status[0] != '\0')
		draw_put(status_y - 1, 0, cols, st->status_level == CON_ERROR ?
		    draw_pair(PAIR_ERROR) | A_BOLD : A_NORMAL, st->status);
	draw_bar(st, rows - 1, cols);
	draw_status(st, status_y, cols);       /* last: it places the cursor */
	refresh();
}

void
draw_screen(const struct con_state *st, int64_t now)
{
	draw_screen_size(st, LINES, COLS, now);
}
