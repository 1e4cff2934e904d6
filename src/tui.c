/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The loop of `sizeup top` (see tui.h).  It owns the terminal: it checks
 * that the terminal can host a screen, sets it up, and puts it back on
 * every way out: `q`, SIGTERM, SIGHUP, SIGINT, SIGQUIT (endwin, then the
 * signal is raised again) and a crash (the terminal's reset strings and
 * saved modes, written from the handler).  It sleeps in poll() on three
 * descriptors: the keyboard, the feed's "bundle ready" pipe and a
 * self-pipe the signal handlers write to; ncurses' own SIGWINCH handler
 * interrupts the poll and getch() then returns KEY_RESIZE.  Sampling runs
 * in the feed's worker thread, so a probe that hangs never stalls keys.
 */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "sizeup/cli.h"
#include "sizeup/feed.h"
#include "sizeup/record.h"
#include "sizeup/strsafe.h"
#include "sizeup/tui.h"
#include "sizeup/window.h"
#include "sizeup/xmalloc.h"

/* How long quit waits for a sample in progress before leaving the worker
 * to die with the process (a hung PostgreSQL may hold it for seconds). */
#define QUIT_GRACE_S 0.5
/* Esc alone versus the first byte of a key's escape sequence. */
#define ESC_DELAY_MS 25
/* No refresh for this many intervals, plus the slack, is worth saying. */
#define STALE_INTERVALS 2
#define STALE_SLACK_S 1.0
/* While stale, the age on the status line is redrawn this often. */
#define STALE_TICK_MS 1000
#define KEY_ESC 27
#define KEY_CTRL_L 12

static volatile sig_atomic_t caught;	/* a terminating signal */
static int sig_pipe[2] = { -1, -1 };

/* What the crash handler writes to put the terminal back. */
static char reset_seq[256];
static size_t reset_len;
static struct termios saved_tio;
static volatile sig_atomic_t have_tio;

static const int quit_signals[] = { SIGTERM, SIGHUP, SIGINT, SIGQUIT };
static const int crash_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL,
	SIGABRT };

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* --from: the records of a log, one window rebuilt and judged at a time
 * as `diagnose --from` does. */
struct replay {
	struct sz_record_file file;
	const struct sz_config *cfg;
	long at;			/* the record shown */
	struct sz_window w;
	struct sz_rates rates;
	struct sz_report rep;
	bool judged;			/* rates and rep hold record `at` */
	char label[96];			/* for the status line */
};

struct tui {
	struct sz_tui_view view;
	struct sz_feed *feed;		/* live, or NULL */
	struct replay *replay;		/* --from, or NULL */
	struct sz_bundle *shown;	/* on the screen */
	struct sz_bundle *pending;	/* newest, held while paused */
	struct timespec start;
	int max_scroll;
	bool quit, dirty;
};

/* ---- signals -------------------------------------------------------- */

static void
on_signal(int sig)
{
	int saved = errno;
	char byte = 1;

	caught = sig;
	if (write(sig_pipe[1], &byte, 1) < 0) {
		/* full: the loop is already woken */
	}
	errno = saved;
}

/* Only async-signal-safe calls: reset the terminal, then die of sig
 * (the handler was reset to the default on entry). */
static void
on_crash(int sig)
{
	if (reset_len > 0 && write(STDOUT_FILENO, reset_seq, reset_len) < 0) {
		/* nothing more can be done */
	}
	if (have_tio)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
	raise(sig);
}

static void
install_signals(void)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	for (i = 0; i < NELEMS(quit_signals); i++)
		sigaction(quit_signals[i], &sa, NULL);
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	for (i = 0; i < NELEMS(crash_signals); i++)
		sigaction(crash_signals[i], &sa, NULL);
}

/* ---- the terminal --------------------------------------------------- */

/* Can this terminal host the screen?  Says why not on stderr. */
static bool
terminal_ok(void)
{
	const char *term = getenv("TERM");
	char name[64];
	const char *cup;
	int err;
	bool ok;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		sz_cli_error("top needs a terminal; for a report, run "
		    "sizeup diagnose");
		return false;
	}
	if (term == NULL || *term == '\0') {
		sz_cli_error("TERM is not set, so top cannot draw; set it, or "
		    "run sizeup diagnose");
		return false;
	}
	sz_str_sanitize(name, sizeof(name), term);
	if (setupterm(NULL, STDOUT_FILENO, &err) != OK) {
		sz_cli_error("terminal type '%s' is not known here, so top "
		    "cannot draw; run sizeup diagnose", name);
		return false;
	}
	cup = tigetstr("cup");
	ok = cup != NULL && cup != (char *)-1;
	del_curterm(cur_term);
	if (!ok)
		sz_cli_error("the terminal (TERM=%s) cannot move the cursor, "
		    "which top needs; run sizeup diagnose", name);
	return ok;
}

/* NO_COLOR set to anything but the empty string (no-color.org). */
static bool
no_color(void)
{
	const char *s = getenv("NO_COLOR");

	return s != NULL && *s != '\0';
}

static void
add_reset(const char *cap)
{
	size_t n;

	if (cap == NULL || cap == (const char *)-1)
		return;
	n = strlen(cap);
	if (reset_len + n < sizeof(reset_seq)) {
		memcpy(reset_seq + reset_len, cap, n);
		reset_len += n;
	}
}

static SCREEN *
screen_start(struct sz_tui_view *v)
{
	SCREEN *scr;

	have_tio = tcgetattr(STDIN_FILENO, &saved_tio) == 0;
	scr = newterm(NULL, stdout, stdin);
	if (scr == NULL)
		return NULL;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	leaveok(stdscr, TRUE);
	set_escdelay(ESC_DELAY_MS);
	curs_set(0);
	v->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	v->color = has_colors() && !no_color();
	if (v->color && start_color() == OK)
		sz_tui_colors_init();
	else
		v->color = false;
	add_reset(exit_attribute_mode);
	add_reset(cursor_normal);
	add_reset(keypad_local);
	add_reset(exit_ca_mode);
	return scr;
}

static void
screen_end(SCREEN *scr)
{
	endwin();
	delscreen(scr);
	reset_len = 0;
}

/* ---- replay --------------------------------------------------------- */

static void
replay_clear(struct replay *r)
{
	if (r->judged)
		sz_rates_fini(&r->rates);
	sz_window_fini(&r->w);
	r->judged = false;
}

/* Show record i (clamped to the log). */
static void
replay_go(struct replay *r, long i)
{
	const struct sz_record *rec;
	char start[SZ_UTC_MAX];

	if (i >= (long)r->file.n)
		i = (long)r->file.n - 1;
	if (i < 0)
		i = 0;
	replay_clear(r);
	r->at = i;
	rec = &r->file.recs[i];
	if (sz_record_window(rec->text, strlen(rec->text), &r->w) == SZ_OK &&
	    sz_rates_compute(&r->rates, sz_window_const(&r->w), r->w.n,
	    r->cfg) == SZ_OK) {
		sz_analyze(&r->rates, &r->cfg->th, &r->rep);
		r->judged = true;
	}
	/* by its start, as diagnose --from and report name windows */
	snprintf(r->label, sizeof(r->label), "%ld/%zu %s", i + 1, r->file.n,
	    sz_format_utc(start, sizeof(start), rec->start));
}

/* Read the log at path, showing its last record.  Says why not on
 * stderr.  RETURNS NULL on failure. */
static struct replay *
replay_open(const char *path, const struct sz_config *cfg)
{
	struct replay *r = sz_xcalloc(1, sizeof(*r));
	enum sz_err err;

	err = sz_record_read_file(path, SZ_RECORD_KEEP_TEXT, &r->file);
	if (err != SZ_OK || r->file.n == 0) {
		sz_cli_error("top: %s: %s", path, err != SZ_OK ?
		    (errno ? strerror(errno) : sz_strerror(err)) :
		    "no record to replay");
		sz_record_file_fini(&r->file);
		free(r);
		return NULL;
	}
	if (r->file.bad > 0 || r->file.newer > 0)
		sz_cli_error("warning: %s: %zu lines skipped", path,
		    r->file.bad + r->file.newer);
	r->cfg = cfg;
	replay_go(r, (long)r->file.n - 1);
	return r;
}

static void
replay_free(struct replay *r)
{
	if (r == NULL)
		return;
	replay_clear(r);
	sz_record_file_fini(&r->file);
	free(r);
}

/* Keys that step through the records.  RETURNS whether ch was one. */
static bool
replay_key(struct tui *t, int ch)
{
	struct replay *r = t->replay;

	switch (ch) {
	case KEY_LEFT:
		replay_go(r, r->at - 1);
		return true;
	case KEY_RIGHT:
		replay_go(r, r->at + 1);
		return true;
	case KEY_HOME:
		replay_go(r, 0);
		return true;
	case KEY_END:
		replay_go(r, (long)r->file.n - 1);
		return true;
	case ' ':
	case '+':
	case '=':
	case '-':
	case '_':
		return true;	/* live only */
	default:
		return false;
	}
}

/* ---- keys ----------------------------------------------------------- */

/* The refresh intervals +/- step through, in seconds. */
static const double steps[] = { 0.2, 0.5, 1, 2, 5, 10, 30, 60 };

static double
step_interval(double cur, int dir)
{
	/* a hair of slack so that 1.0 from the command line equals 1 */
	const double eps = 1e-9;
	size_t i;

	if (dir > 0) {
		for (i = 0; i < NELEMS(steps); i++) {
			if (steps[i] > cur + eps)
				return steps[i];
		}
		return cur;
	}
	for (i = NELEMS(steps); i-- > 0;) {
		if (steps[i] < cur - eps)
			return steps[i];
	}
	return cur;
}

static void
set_interval(struct tui *t, int dir)
{
	double next = step_interval(t->view.interval, dir);

	if (next != t->view.interval) {
		t->view.interval = next;
		sz_feed_set_interval(t->feed, next);
	}
}

static void
toggle(struct tui *t, enum sz_tui_overlay o)
{
	t->view.overlay = t->view.overlay == o ? SZ_OVERLAY_NONE : o;
	t->view.scroll = 0;
	t->view.sort_cursor = t->view.sort;
}

static void
toggle_pause(struct tui *t)
{
	t->view.paused = !t->view.paused;
	if (!t->view.paused && t->pending != NULL) {
		sz_bundle_free(t->shown);
		t->shown = t->pending;
		t->pending = NULL;
	}
}

/* Keys of the sort chooser.  RETURNS whether ch was one. */
static bool
sort_key(struct tui *t, int ch)
{
	struct sz_tui_view *v = &t->view;
	const char *keys = "cmt", *k;

	switch (ch) {
	case KEY_UP:
	case 'k':
		v->sort_cursor = (v->sort_cursor + SZ_NSORTS - 1) % SZ_NSORTS;
		return true;
	case KEY_DOWN:
	case 'j':
		v->sort_cursor = (v->sort_cursor + 1) % SZ_NSORTS;
		return true;
	case '\r':
	case '\n':
	case KEY_ENTER:
	case ' ':
		v->sort = v->sort_cursor;
		v->overlay = SZ_OVERLAY_NONE;
		return true;
	default:
		break;
	}
	k = ch > 0 && ch < 0x80 ? strchr(keys, ch) : NULL;
	if (k == NULL || *k == '\0')
		return false;
	v->sort = (enum sz_tui_sort)(k - keys);
	v->overlay = SZ_OVERLAY_NONE;
	return true;
}

/* Keys that scroll the evidence.  RETURNS whether ch was one. */
static bool
scroll_key(struct tui *t, int ch)
{
	int page = LINES > 6 ? LINES - 6 : 1, s = t->view.scroll;

	switch (ch) {
	case KEY_UP:
	case 'k':
		s--;
		break;
	case KEY_DOWN:
	case 'j':
		s++;
		break;
	case KEY_PPAGE:
		s -= page;
		break;
	case KEY_NPAGE:
		s += page;
		break;
	case KEY_HOME:
		s = 0;
		break;
	case KEY_END:
		s = t->max_scroll;
		break;
	default:
		return false;
	}
	t->view.scroll = s < 0 ? 0 : s > t->max_scroll ? t->max_scroll : s;
	return true;
}

static void
handle_key(struct tui *t, int ch)
{
	t->dirty = true;
	if (t->view.overlay == SZ_OVERLAY_SORT && sort_key(t, ch))
		return;
	if (t->view.overlay == SZ_OVERLAY_EVIDENCE && scroll_key(t, ch))
		return;
	if (t->replay != NULL && replay_key(t, ch))
		return;
	switch (ch) {
	case 'q':
	case 'Q':
		t->quit = true;
		break;
	case ' ':
		toggle_pause(t);
		break;
	case '?':
	case 'h':
	case KEY_F(1):
		toggle(t, SZ_OVERLAY_HELP);
		break;
	case 'e':
		toggle(t, SZ_OVERLAY_EVIDENCE);
		break;
	case 's':
		toggle(t, SZ_OVERLAY_SORT);
		break;
	case '+':
	case '=':
		set_interval(t, 1);
		break;
	case '-':
	case '_':
		set_interval(t, -1);
		break;
	case KEY_ESC:
		t->view.overlay = SZ_OVERLAY_NONE;
		break;
	case KEY_CTRL_L:
		clearok(curscr, TRUE);
		break;
	default:
		break;	/* KEY_RESIZE among others: redraw */
	}
}

/* ---- the loop ------------------------------------------------------- */

static double
seconds_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) +
	    (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

/* The report on the screen, or NULL. */
static const struct sz_report *
shown_report(const struct tui *t)
{
	if (t->replay != NULL)
		return t->replay->judged ? &t->replay->rep : NULL;
	return t->shown != NULL ? &t->shown->rep : NULL;
}

/* The age of what is shown: since its last sample, or since the start. */
static double
data_age(const struct tui *t)
{
	return seconds_since(t->shown != NULL ? &t->shown->rates.last->mono :
	    &t->start);
}

static double
stale_after(const struct tui *t)
{
	return STALE_INTERVALS * t->view.interval + STALE_SLACK_S;
}

/* Until the data would turn stale; then every STALE_TICK_MS. */
static int
poll_timeout(const struct tui *t)
{
	double left;

	if (t->view.paused || t->replay != NULL)
		return -1;
	left = stale_after(t) - data_age(t);
	return left > 0 ? (int)(left * 1000) + 1 : STALE_TICK_MS;
}

static void
take_bundle(struct tui *t)
{
	struct sz_bundle *b = sz_feed_take(t->feed);

	if (b == NULL)
		return;
	if (t->view.paused) {
		sz_bundle_free(t->pending);
		t->pending = b;
		return;
	}
	sz_bundle_free(t->shown);
	t->shown = b;
	t->dirty = true;
}

static void
draw(struct tui *t)
{
	t->view.age = data_age(t);
	t->view.stale = !t->view.paused && t->replay == NULL &&
	    t->view.age > stale_after(t);
	t->view.replay = t->replay != NULL ? t->replay->label : NULL;
	t->max_scroll = sz_tui_draw(&t->view, shown_report(t));
	refresh();
	t->dirty = false;
}

static void
loop(struct tui *t)
{
	struct pollfd fds[3] = {
		{ .fd = STDIN_FILENO, .events = POLLIN },
		/* poll() skips a negative descriptor: none when replaying */
		{ .fd = t->feed != NULL ? sz_feed_fd(t->feed) : -1,
		    .events = POLLIN },
		{ .fd = sig_pipe[0], .events = POLLIN },
	};
	int n, ch;

	t->dirty = true;
	while (!t->quit && !caught) {
		if (t->dirty)
			draw(t);
		n = poll(fds, NELEMS(fds), poll_timeout(t));
		if (n < 0 && errno != EINTR)
			break;
		if (n == 0)
			t->dirty = true;	/* the age moved on */
		if (n > 0 && (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL)))
			break;	/* the terminal is gone */
		if (n > 0 && (fds[1].revents & POLLIN))
			take_bundle(t);
		while ((ch = getch()) != ERR)
			handle_key(t, ch);
	}
}

/* The live feed, or the records of from.  Says why not on stderr. */
static bool
source_start(struct tui *t, const struct sz_config *cfg, double interval,
    const char *from)
{
	enum sz_err err;

	if (from != NULL) {
		t->replay = replay_open(from, cfg);
		return t->replay != NULL;
	}
	err = sz_feed_start_live(&t->feed, cfg, interval);
	if (err)
		sz_cli_error("top: cannot start sampling: %s",
		    sz_strerror(err));
	return err == SZ_OK;
}

static void
source_stop(struct tui *t)
{
	sz_bundle_free(t->shown);
	sz_bundle_free(t->pending);
	/* a worker stuck in a probe is left to die with the process */
	(void)sz_feed_free(t->feed, QUIT_GRACE_S);
	replay_free(t->replay);
}

int
sz_tui_run(const struct sz_config *cfg, double interval, const char *from)
{
	struct tui t;
	SCREEN *scr;

	memset(&t, 0, sizeof(t));
	/*
	 * One malloc arena: samples are made by the worker and freed by
	 * either thread, and a second arena keeps its own free pages.
	 */
	mallopt(M_ARENA_MAX, 1);
	setlocale(LC_CTYPE, "");
	if (!terminal_ok())
		return EXIT_FAILURE;
	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
		sz_cli_error("top: %s", strerror(errno));
		return EXIT_FAILURE;
	}
	if (!source_start(&t, cfg, interval, from))
		return EXIT_FAILURE;
	clock_gettime(CLOCK_MONOTONIC, &t.start);
	t.view.interval = interval;
	install_signals();
	scr = screen_start(&t.view);
	if (scr == NULL) {
		source_stop(&t);
		sz_cli_error("top: cannot set up the terminal");
		return EXIT_FAILURE;
	}
	loop(&t);
	screen_end(scr);
	source_stop(&t);
	if (caught) {
		signal(caught, SIG_DFL);
		raise(caught);
	}
	return EXIT_SUCCESS;
}
