/* SPDX-License-Identifier: BSD-3-Clause
 * switchback-import-rsc: the RouterOS script reader (see rsc_script.h).
 *
 * A single pass over the characters: no separate token stream, because
 * RouterOS decides what a character means from what is next to it
 * (`a=b` is an argument, `a = b` inside parentheses a comparison, `1.2.3.4`
 * a word but `$a . "b"` a concatenation). Every command is scanned to its
 * end even when a part of it cannot be evaluated, so one bad value costs
 * one command, and a syntax error (an unterminated quote or bracket) costs
 * the line it started on: scanning resumes on the next one. */
#include "rsc_script.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 32        /* nested blocks, brackets and parentheses */
#define MENU_LEN 128

/* Every string of a run lives in its arena until the run ends. */
struct chunk {
	struct chunk *next;
	size_t used, cap;
	char mem[];
};

struct var {
	struct var *next;
	const char *name, *value;
};

struct scope {
	struct scope *up;
	struct var *vars;
	char menu[MENU_LEN];
};

struct run {
	const struct rsc_ops *ops;
	struct chunk *arena;
	struct scope *globals;
	int errors;
	int depth;
	unsigned rounds;    /* loop rounds so far: nested loops share a budget */
};

/* Loop rounds one run may take, all loops together. */
#define MAX_ROUNDS 65536

/* Scanner over one text (the script, or a block of it). */
struct sc {
	struct run *run;
	const char *s;
	size_t n, i;
	int line;
	struct scope *scope;
	/* The first problem of the command being scanned. */
	enum rsc_diag prob_kind;
	int prob_line;
	char prob[256];
	bool has_prob;
	bool syntax;        /* malformed: resume on the line after syn_line */
	int syn_line;
	size_t syn_pos;
};

/* A growing string, copied into the arena when done. */
struct sbuf {
	char *p;
	size_t n, cap;
	bool oom;
};

static void *
aalloc(struct run *r, size_t n)
{
	struct chunk *c = r->arena;

	n = (n + 7) & ~(size_t)7;
	if (c == NULL || c->cap - c->used < n) {
		size_t cap = n > 65536 ? n : 65536;

		c = malloc(sizeof(*c) + cap);
		if (c == NULL) {
			fprintf(stderr, "switchback-import-rsc: out of memory\n");
			exit(3);
		}
		c->next = r->arena;
		c->used = 0;
		c->cap = cap;
		r->arena = c;
	}
	c->used += n;
	return c->mem + c->used - n;
}

static char *
adup(struct run *r, const char *s, size_t n)
{
	char *p = aalloc(r, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static void
sb_addn(struct sbuf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		char *p;

		while (cap < b->n + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (p == NULL) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void
sb_add(struct sbuf *b, const char *s)
{
	sb_addn(b, s, strlen(s));
}

static char *
sb_done(struct run *r, struct sbuf *b)
{
	char *s = adup(r, b->p ? b->p : "", b->p ? b->n : 0);

	free(b->p);
	b->p = NULL;
	b->n = b->cap = 0;
	return s;
}

static void
diag(struct run *r, int line, enum rsc_diag kind, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (kind == RSC_ERROR)
		r->errors++;
	if (r->ops->diag)
		r->ops->diag(r->ops->ctx, line, kind, msg);
}

/* Remember the command's first problem; it is reported when the command
 * ends, instead of the command. */
static void
problem(struct sc *s, enum rsc_diag kind, const char *fmt, ...)
{
	va_list ap;

	if (s->has_prob && !(kind == RSC_ERROR && s->prob_kind != RSC_ERROR))
		return;
	va_start(ap, fmt);
	vsnprintf(s->prob, sizeof(s->prob), fmt, ap);
	va_end(ap);
	s->prob_kind = kind;
	s->prob_line = s->line;
	s->has_prob = true;
}

/* Malformed: the construct that started at @line / @pos never ended. */
static void
syntax(struct sc *s, int line, size_t pos, const char *fmt, ...)
{
	va_list ap;

	if (s->syntax)
		return;
	va_start(ap, fmt);
	vsnprintf(s->prob, sizeof(s->prob), fmt, ap);
	va_end(ap);
	s->prob_kind = RSC_ERROR;
	s->prob_line = line;
	s->has_prob = true;
	s->syntax = true;
	s->syn_line = line;
	s->syn_pos = pos;
}

/* ---- variables ---- */

static struct var *
var_find(struct scope *sc, const char *name)
{
	for (; sc != NULL; sc = sc->up)
		for (struct var *v = sc->vars; v != NULL; v = v->next)
			if (strcmp(v->name, name) == 0)
				return v;
	return NULL;
}

static void
var_set(struct run *r, struct scope *sc, const char *name, const char *value)
{
	struct var *v = NULL;

	for (v = sc->vars; v != NULL; v = v->next)
		if (strcmp(v->name, name) == 0)
			break;
	if (v == NULL) {
		v = aalloc(r, sizeof(*v));
		v->name = adup(r, name, strlen(name));
		v->next = sc->vars;
		sc->vars = v;
	}
	v->value = adup(r, value, strlen(value));
}

/* ---- characters ---- */

static int
peek(const struct sc *s, size_t k)
{
	return s->i + k < s->n ? (unsigned char)s->s[s->i + k] : -1;
}

/* A `\` that ends the line joins it to the next one. */
static bool
at_continuation(const struct sc *s)
{
	return peek(s, 0) == '\\' &&
	       (peek(s, 1) == '\n' || (peek(s, 1) == '\r' && peek(s, 2) == '\n'));
}

static void
skip_blank(struct sc *s)
{
	for (;;) {
		int c = peek(s, 0);

		if (c == ' ' || c == '\t' || c == '\r') {
			s->i++;
		} else if (at_continuation(s)) {
			s->i += peek(s, 1) == '\r' ? 3 : 2;
			s->line++;
			/* RouterOS exports indent continued lines. */
		} else {
			return;
		}
	}
}

static bool
is_end(int c)
{
	return c == -1 || c == '\n' || c == ';';
}

/* Characters that end a bare word. */
static bool
is_special(int c)
{
	return c == -1 || c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' ||
	       c == '"' || c == '$' || c == '[' || c == ']' || c == '(' || c == ')' ||
	       c == '{' || c == '}';
}

static void
skip_line(struct sc *s)
{
	while (peek(s, 0) != -1 && peek(s, 0) != '\n')
		s->i++;
}

/* ---- values ---- */

static const char *parse_piece(struct sc *s, bool *is_block, const struct rsc_filter **filter);
static const char *expr_logic(struct sc *s, bool any);
static void run_text(struct run *r, struct scope *up, const char *text, size_t len,
		     int line, const char *menu, const char *var, const char *value);

/* A quoted string: escapes, and $variables expanded (RouterOS does it when
 * the command runs, so a script kept as a string gets the values of the
 * moment it was added). */
static const char *
parse_string(struct sc *s)
{
	struct sbuf b = { 0 };
	int line = s->line;
	size_t pos = s->i;

	s->i++; /* the quote */
	for (;;) {
		int c = peek(s, 0);

		if (c == -1) {
			free(b.p);
			syntax(s, line, pos, "unterminated quoted string");
			return "";
		}
		if (c == '"') {
			s->i++;
			break;
		}
		if (c == '\n')
			s->line++;
		if (c == '\\') {
			int e = peek(s, 1);
			char ch;

			s->i += 2;
			switch (e) {
			case 'n': ch = '\n'; break;
			case 't': ch = '\t'; break;
			case 'r': ch = '\r'; break;
			case '_': ch = ' '; break;
			case 'a': ch = '\a'; break;
			case '\n': s->line++; continue; /* continued line */
			case -1: s->i--; continue;
			default:
				if (isxdigit(e) && isxdigit(peek(s, 0))) {
					char hex[3] = { (char)e, (char)peek(s, 0), 0 };

					s->i++;
					ch = (char)strtol(hex, NULL, 16);
				} else {
					ch = (char)e;
				}
			}
			sb_addn(&b, &ch, 1);
			continue;
		}
		if (c == '$' && (isalpha(peek(s, 1)) || peek(s, 1) == '_')) {
			const char *v = parse_piece(s, NULL, NULL);

			sb_add(&b, v);
			continue;
		}
		sb_addn(&b, &s->s[s->i], 1);
		s->i++;
	}
	return sb_done(s->run, &b);
}

static const char *
parse_var(struct sc *s)
{
	size_t st;
	char name[64];
	struct var *v;

	s->i++; /* $ */
	st = s->i;
	while (isalnum(peek(s, 0)) || peek(s, 0) == '_')
		s->i++;
	if (s->i == st) {
		problem(s, RSC_ERROR, "'$' without a variable name");
		return "";
	}
	snprintf(name, sizeof(name), "%.*s", (int)(s->i - st), s->s + st);
	v = var_find(s->scope, name);
	if (v == NULL) {
		problem(s, RSC_SKIP, "variable $%s is not known here (not set earlier in this script)",
			name);
		return "";
	}
	return v->value;
}

/* Step over a balanced [...], (...) or {...} from its opening character,
 * quotes included. Returns false (and reports) when it never closes. */
static bool
skip_balanced(struct sc *s)
{
	char stack[MAX_DEPTH];
	int top = 0, line = s->line;
	size_t pos = s->i;

	do {
		int c = peek(s, 0);

		if (c == -1) {
			syntax(s, line, pos, "'%c' is never closed", stack[0] == ']' ? '[' :
			       stack[0] == ')' ? '(' : '{');
			return false;
		}
		if (c == '"') {
			parse_string(s);
			if (s->syntax)
				return false;
			continue;
		}
		if (at_continuation(s)) {
			skip_blank(s);
			continue;
		}
		if (c == '\n')
			s->line++;
		if (c == '[' || c == '(' || c == '{') {
			if (top == MAX_DEPTH) {
				syntax(s, line, pos, "brackets nested too deep");
				return false;
			}
			stack[top++] = c == '[' ? ']' : c == '(' ? ')' : '}';
		} else if (c == ']' || c == ')' || c == '}') {
			if (c != stack[top - 1]) {
				syntax(s, s->line, s->i, "'%c' where '%c' was expected", c, stack[top - 1]);
				return false;
			}
			top--;
		}
		s->i++;
	} while (top > 0);
	return true;
}

/* A bare word: up to a blank or a special character. */
static const char *
parse_bare(struct sc *s, bool stop_at_eq)
{
	size_t st = s->i;

	while (!is_special(peek(s, 0)) && !(stop_at_eq && peek(s, 0) == '=') &&
	       !at_continuation(s))
		s->i++;
	return adup(s->run, s->s + st, s->i - st);
}

static bool
is_num(const char *v, long long *out)
{
	char *end;

	if (*v == '\0')
		return false;
	errno = 0;
	*out = strtoll(v, &end, 10);
	return *end == '\0' && errno == 0;
}

static const char *
num_str(struct sc *s, long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", v);
	return adup(s->run, buf, strlen(buf));
}

static bool
truthy(const char *v)
{
	long long n;

	if (strcmp(v, "true") == 0 || strcmp(v, "yes") == 0)
		return true;
	if (is_num(v, &n))
		return n != 0;
	return false;
}

static void
expr_blank(struct sc *s)
{
	for (;;) {
		skip_blank(s);
		if (peek(s, 0) == '\n') {
			s->i++;
			s->line++;
		} else {
			return;
		}
	}
}

/* [ ... ]: a selection ([find ...], [/ip route find ...]) or a function
 * this reader evaluates (:len, :tostr, :tonum). Anything else is a
 * problem for the command holding it. */
static const char *parse_bracket(struct sc *s, const struct rsc_filter **filter);

static const char *
expr_primary(struct sc *s)
{
	int c;

	expr_blank(s);
	c = peek(s, 0);
	if (c == '(') {
		const char *v;
		int line = s->line;
		size_t pos = s->i;

		s->i++;
		if (++s->run->depth > MAX_DEPTH) {
			s->run->depth--;
			syntax(s, line, pos, "expression nested too deep");
			return "";
		}
		v = expr_logic(s, true);
		s->run->depth--;
		expr_blank(s);
		if (peek(s, 0) == ',' && !s->syntax) {
			/* (1,2): an array, which no translated value is. */
			s->i = pos;
			s->line = line;
			if (skip_balanced(s))
				problem(s, RSC_SKIP, "arrays are not evaluated");
			return "";
		}
		if (peek(s, 0) != ')') {
			syntax(s, line, pos, "'(' is never closed");
			return "";
		}
		s->i++;
		return v;
	}
	if (c == '"')
		return parse_string(s);
	if (c == '$')
		return parse_var(s);
	if (c == '[')
		return parse_bracket(s, NULL);
	if (c == -1)
		return ""; /* the enclosing '(' or '[' reports where it began */
	if (c == ')' || c == ';' || c == ']' || c == '}') {
		syntax(s, s->line, s->i, "value expected in expression");
		return "";
	}
	/* A word: a number, an address, true/false. A '.' or '-' belongs to
	 * it only between word characters ("$a . $b", "$a-1" are operators). */
	{
		size_t st = s->i;

		while (isalnum(peek(s, 0)) || peek(s, 0) == '_' || peek(s, 0) == ':' ||
		       peek(s, 0) == '/' || peek(s, 0) == '%' ||
		       ((peek(s, 0) == '.' || peek(s, 0) == '-') && s->i > st &&
			isalnum(peek(s, 1)) && !(peek(s, 0) == '-' && isdigit(peek(s, 1)) &&
						 isdigit((unsigned char)s->s[s->i - 1]))))
			s->i++;
		if (s->i == st) {
			syntax(s, s->line, s->i, "unexpected '%c' in expression", c);
			return "";
		}
		return adup(s->run, s->s + st, s->i - st);
	}
}

static const char *
expr_unary(struct sc *s)
{
	expr_blank(s);
	if (peek(s, 0) == '!' && peek(s, 1) != '=') {
		s->i++;
		return truthy(expr_unary(s)) ? "false" : "true";
	}
	if (peek(s, 0) == '-') {
		long long n;
		const char *v;

		s->i++;
		v = expr_unary(s);
		if (!is_num(v, &n)) {
			problem(s, RSC_SKIP, "'-' applied to \"%s\", not a number", v);
			return "";
		}
		return num_str(s, -n);
	}
	return expr_primary(s);
}

/* A left-associative arithmetic level: '*' and '/' over unary terms
 * (@sum false), or '+', '-' and '.' (concatenation) over products (@sum
 * true). An operand that is not a number makes the result "". */
static const char *
expr_arith(struct sc *s, bool sum)
{
	const char *a = sum ? expr_arith(s, false) : expr_unary(s);

	for (;;) {
		long long x, y, r;
		int op;
		const char *b;

		expr_blank(s);
		op = peek(s, 0);
		if (op == -1 || strchr(sum ? "+-." : "*/", op) == NULL)
			return a;
		s->i++;
		b = sum ? expr_arith(s, false) : expr_unary(s);
		if (op == '.') {
			struct sbuf buf = { 0 };

			sb_add(&buf, a);
			sb_add(&buf, b);
			a = sb_done(s->run, &buf);
			continue;
		}
		if (!is_num(a, &x) || !is_num(b, &y) || (op == '/' && y == 0)) {
			problem(s, RSC_SKIP, "cannot compute \"%s\" %c \"%s\"", a, op, b);
			a = "";
			continue;
		}
		r = op == '*' ? x * y : op == '/' ? x / y : op == '+' ? x + y : x - y;
		a = num_str(s, r);
	}
}

static const char *
expr_cmp(struct sc *s)
{
	const char *a = expr_arith(s, true), *b;
	char op[3] = { 0 };
	long long x, y;
	int r;

	expr_blank(s);
	if (peek(s, 0) == '!' && peek(s, 1) == '=') {
		strcpy(op, "!=");
	} else if ((peek(s, 0) == '<' || peek(s, 0) == '>') && peek(s, 1) == '=') {
		op[0] = (char)peek(s, 0);
		op[1] = '=';
	} else if (peek(s, 0) == '=' || peek(s, 0) == '<' || peek(s, 0) == '>') {
		op[0] = (char)peek(s, 0);
	} else {
		return a;
	}
	s->i += strlen(op);
	b = expr_arith(s, true);
	if (is_num(a, &x) && is_num(b, &y))
		r = x < y ? -1 : x > y;
	else
		r = strcmp(a, b);
	if (strcmp(op, "=") == 0)
		return r == 0 ? "true" : "false";
	if (strcmp(op, "!=") == 0)
		return r != 0 ? "true" : "false";
	if (strcmp(op, "<") == 0)
		return r < 0 ? "true" : "false";
	if (strcmp(op, ">") == 0)
		return r > 0 ? "true" : "false";
	if (strcmp(op, "<=") == 0)
		return r <= 0 ? "true" : "false";
	return r >= 0 ? "true" : "false";
}

static bool
word_op(struct sc *s, const char *w)
{
	size_t n = strlen(w);

	if (s->i + n < s->n && strncmp(s->s + s->i, w, n) == 0 && !isalnum(peek(s, n))) {
		s->i += n;
		return true;
	}
	return false;
}

/* A left-associative logical level: "&&"/"and" over comparisons (@any
 * false), or "||"/"or" over those (@any true). Both sides are evaluated. */
static const char *
expr_logic(struct sc *s, bool any)
{
	const char *a = any ? expr_logic(s, false) : expr_cmp(s);
	int sym = any ? '|' : '&';

	for (;;) {
		bool x, y;

		expr_blank(s);
		if (peek(s, 0) == sym && peek(s, 1) == sym)
			s->i += 2;
		else if (!word_op(s, any ? "or" : "and"))
			return a;
		x = truthy(a);
		y = truthy(any ? expr_logic(s, false) : expr_cmp(s));
		a = (any ? x | y : x & y) ? "true" : "false";
	}
}

/* ---- [ ... ] ---- */

static const char *
parse_find(struct sc *s, int line, size_t pos, struct rsc_filter *f)
{
	f->n = 0;
	for (;;) {
		const char *key, *val;
		char op = '=';

		expr_blank(s);
		if (peek(s, 0) == ']') {
			s->i++;
			return "";
		}
		if (peek(s, 0) == -1) {
			syntax(s, line, pos, "'[' is never closed");
			return "";
		}
		if (peek(s, 0) == '&' && peek(s, 1) == '&') {
			s->i += 2;
			continue;
		}
		if (word_op(s, "where") || word_op(s, "and"))
			continue;
		if (peek(s, 0) == '(' || peek(s, 0) == '|' || word_op(s, "or")) {
			problem(s, RSC_SKIP, "find with 'or' or parentheses is not evaluated");
			while (peek(s, 0) != ']' && peek(s, 0) != -1) {
				if (peek(s, 0) == '"')
					parse_string(s);
				else
					s->i++;
			}
			continue;
		}
		key = parse_bare(s, true);
		if (strchr(key, '~') != NULL && strchr(key, '~')[1] != '\0') {
			char *t = strchr(key, '~');

			*t = '\0';
			val = t + 1;
			op = '~';
			goto add;
		}
		if (*key == '\0') {
			syntax(s, s->line, s->i, "unexpected '%c' in find", peek(s, 0));
			return "";
		}
		/* key!=value arrives as "key!" "=" value */
		if (key[strlen(key) - 1] == '!' || key[strlen(key) - 1] == '~') {
			op = key[strlen(key) - 1] == '!' ? '!' : '~';
			((char *)key)[strlen(key) - 1] = '\0';
		}
		if (peek(s, 0) == '=') {
			s->i++;
		} else if (peek(s, 0) == '~') {
			op = '~';
			s->i++;
		} else if (op == '=') {
			/* a bare flag: "find disabled" */
			val = "yes";
			goto add;
		}
		val = parse_piece(s, NULL, NULL);
add:
		if (f->n == RSC_MAX_COND) {
			problem(s, RSC_SKIP, "find with more than %d conditions", RSC_MAX_COND);
			continue;
		}
		f->c[f->n].key = key;
		f->c[f->n].op = op;
		f->c[f->n].value = val;
		f->n++;
	}
}

static const char *
parse_bracket(struct sc *s, const struct rsc_filter **filter)
{
	int line = s->line;
	size_t pos = s->i;
	bool absolute = false;

	s->i++; /* [ */
	for (;;) {
		const char *w, *last;

		expr_blank(s);
		if (peek(s, 0) == ':') {
			w = parse_bare(s, true);
			if (strcmp(w, ":len") == 0 || strcmp(w, ":tostr") == 0 ||
			    strcmp(w, ":tonum") == 0 || strcmp(w, ":toip") == 0) {
				const char *v = expr_primary(s);

				expr_blank(s);
				if (s->syntax)
					return "";
				if (peek(s, 0) == ']') {
					s->i++;
					return strcmp(w, ":len") == 0 ? num_str(s, (long long)strlen(v)) : v;
				}
			}
			break;
		}
		w = parse_bare(s, true);
		if (*w == '\0')
			break;
		last = strrchr(w, '/') ? strrchr(w, '/') + 1 : w;
		if (strcmp(last, "find") == 0) {
			struct rsc_filter *f = aalloc(s->run, sizeof(*f));

			parse_find(s, line, pos, f);
			if (filter != NULL)
				*filter = f;
			else if (!s->syntax)
				problem(s, RSC_SKIP, "a [find ...] selection used as a value");
			return "";
		}
		if (w[0] == '/')
			absolute = true;
		if (!absolute)
			break;
	}
	if (s->syntax)
		return "";
	s->i = pos;
	s->line = line;
	if (skip_balanced(s))
		problem(s, RSC_SKIP, "command substitution %.*s is not evaluated",
			(int)(s->i - pos > 60 ? 60 : s->i - pos), s->s + pos);
	return "";
}

/* One piece of a value: a string, $variable, [ ], ( ) or { } block, or a
 * bare word. */
static const char *
parse_piece(struct sc *s, bool *is_block, const struct rsc_filter **filter)
{
	int c = peek(s, 0);

	if (c == '[')
		return parse_bracket(s, filter);
	if (c == '"' || c == '$' || c == '(')
		return expr_primary(s);
	if (c == '{') {
		size_t st = s->i;

		if (!skip_balanced(s))
			return "";
		if (is_block)
			*is_block = true;
		return adup(s->run, s->s + st + 1, s->i - st - 2);
	}
	return parse_bare(s, false);
}

/* A whole value: adjacent pieces, concatenated. Sets *empty when nothing
 * at all was there. */
static const char *
parse_value(struct sc *s, bool *is_block, const struct rsc_filter **filter, bool *empty)
{
	struct sbuf b = { 0 };
	unsigned pieces = 0;
	bool blk = false;

	*empty = true;
	while (!is_special(peek(s, 0)) || peek(s, 0) == '"' || peek(s, 0) == '$' ||
	       peek(s, 0) == '[' || peek(s, 0) == '(' || peek(s, 0) == '{') {
		const char *p;

		if (at_continuation(s))
			break;
		p = parse_piece(s, &blk, filter);
		if (s->syntax) {
			free(b.p);
			return "";
		}
		sb_add(&b, p);
		pieces++;
		*empty = false;
	}
	if (is_block)
		*is_block = blk && pieces == 1;
	return sb_done(s->run, &b);
}

/* ---- menus ---- */

/* Menus whose commands are understood or at least known (so a typo is
 * told apart from a menu switchback does not translate). Children of the
 * top-level menus listed in opaque[] are all accepted. */
static const char *const menus[] = {
	"/ip", "/ip/address", "/ip/route", "/ip/route/rule", "/ip/route/vrf", "/ip/vrf",
	"/ip/firewall", "/ip/firewall/nat", "/ip/firewall/mangle", "/ip/firewall/filter",
	"/ip/firewall/raw", "/ip/firewall/address-list", "/ip/firewall/connection",
	"/ip/firewall/connection/tracking", "/ip/firewall/service-port",
	"/ip/firewall/layer7-protocol", "/ip/firewall/calea", "/ip/settings",
	"/ip/dhcp-client", "/ip/dhcp-client/option", "/ip/dhcp-server",
	"/ip/dhcp-server/network", "/ip/dhcp-server/lease", "/ip/dhcp-server/option",
	"/ip/dhcp-server/config", "/ip/dhcp-relay", "/ip/dns", "/ip/dns/static",
	"/ip/dns/cache", "/ip/pool", "/ip/service", "/ip/neighbor",
	"/ip/neighbor/discovery-settings", "/ip/arp", "/ip/cloud", "/ip/upnp",
	"/ip/upnp/interfaces", "/ip/proxy", "/ip/socks", "/ip/smb", "/ip/ssh",
	"/ip/traffic-flow", "/ip/traffic-flow/target", "/ip/ipsec", "/ip/ipsec/peer",
	"/ip/ipsec/profile", "/ip/ipsec/proposal", "/ip/ipsec/policy",
	"/ip/ipsec/identity", "/ip/hotspot", "/ip/nat-pmp", "/ip/media", "/ip/packing",
	"/ip/tftp", "/ip/kid-control", "/ip/accounting", "/ip/tftp/settings",
	"/routing", "/routing/table", "/routing/rule", "/routing/nexthop", "/routing/id",
	"/routing/bgp", "/routing/bgp/connection", "/routing/bgp/template",
	"/routing/ospf", "/routing/ospf/instance", "/routing/ospf/area",
	"/routing/ospf/interface-template", "/routing/filter", "/routing/filter/rule",
	"/routing/rip", "/routing/bfd", "/routing/settings",
	"/interface", "/interface/list", "/interface/list/member", "/interface/bridge",
	"/interface/bridge/port", "/interface/bridge/vlan", "/interface/bridge/settings",
	"/interface/bridge/filter", "/interface/ethernet", "/interface/ethernet/switch",
	"/interface/vlan", "/interface/wireguard", "/interface/wireguard/peers",
	"/interface/pppoe-client", "/interface/pppoe-server", "/interface/bonding",
	"/interface/wireless", "/interface/wireless/security-profiles", "/interface/wifi",
	"/interface/detect-internet", "/interface/lte", "/interface/lte/apn",
	"/interface/l2tp-client", "/interface/sstp-client", "/interface/ovpn-client",
	"/interface/gre", "/interface/eoip", "/interface/veth", "/interface/vrrp",
	"/interface/macvlan", "/interface/vxlan", "/interface/ipip",
	"/system", "/system/identity", "/system/clock", "/system/ntp",
	"/system/ntp/client", "/system/ntp/client/servers", "/system/ntp/server",
	"/system/scheduler", "/system/script", "/system/script/environment",
	"/system/logging", "/system/logging/action", "/system/package",
	"/system/package/update", "/system/routerboard", "/system/routerboard/settings",
	"/system/note", "/system/backup", "/system/resource", "/system/health",
	"/system/leds", "/system/watchdog", "/system/console", "/system/users",
	"/system/upgrade", "/system/license", "/system/history",
	"/tool", "/tool/netwatch", "/tool/e-mail", "/tool/mac-server",
	"/tool/mac-server/mac-winbox", "/tool/mac-server/ping", "/tool/bandwidth-server",
	"/tool/romon", "/tool/sniffer", "/tool/graphing", "/tool/graphing/interface",
	"/tool/graphing/resource", "/tool/traffic-monitor", "/tool/sms", "/tool/traceroute",
	"/tool/sms/inbox", "/tool/traffic-generator", "/tool/dns-update", "/tool/user-manager",
	"/routing/pimsm", "/routing/igmp-proxy", "/routing/gmp", "/routing/isis", "/routing/rpki",
	"/routing/stats", "/routing/loopback-address",
	"/interface/6to4", "/interface/dot1x", "/interface/l2tp-server", "/interface/ovpn-server",
	"/interface/pptp-client", "/interface/pptp-server", "/interface/sstp-server",
	"/interface/vpls", "/interface/w60g", "/interface/mesh", "/interface/traffic-eng",
	"/interface/ppp-client", "/interface/ppp-server", "/interface/wifiwave2",
	"/interface/l2tp-ether", "/interface/eoipv6", "/interface/gre6", "/interface/ipipv6",
	"/interface/bridge/mdb", "/interface/bridge/host", "/interface/bridge/msti",
	"/interface/ethernet/poe", "/interface/ethernet/switch/port", "/interface/vxlan/vteps",
	"/interface/wireless/access-list",
	"/system/gps", "/system/hardware", "/system/ups", "/system/device-mode",
	"/system/clock/manual",
	"/ip/smb/shares", "/ip/smb/users", "/ip/cloud/advanced", "/ip/dns/forwarders",
	"/ip/dns/adlist", "/ip/dhcp-server/matcher", "/ip/dhcp-server/alert",
	"/ip/dhcp-server/option/sets", "/ip/nat-pmp/interfaces", "/ip/socks/users",
	"/ip/hotspot/profile", "/ip/ipsec/mode-config",
	NULL,
};

static const char *const opaque[] = {
	"/ipv6", "/user", "/snmp", "/certificate", "/ppp", "/queue", "/radius", "/disk",
	"/file", "/log", "/mpls", "/caps-man", "/container", "/port", "/special-login",
	"/console", "/lcd", "/partitions", "/zerotier", "/iot", "/dude", "/user-manager",
	"/app", "/interface/wireless", "/interface/wifi", "/ip/ipsec", "/ip/hotspot",
	"/routing/bgp", "/routing/ospf", "/routing/filter", "/system/routerboard",
	NULL,
};

/* Commands: a word after a menu that is not a child menu must be one. */
static const char *const verbs[] = {
	"add", "set", "remove", "enable", "disable", "print", "export", "find", "edit",
	"comment", "move", "unset", "reset", "reset-counters", "reset-counters-all", "get",
	"monitor", "monitor-traffic", "import", "reboot", "shutdown", "save", "load",
	"ping", "fetch", "resolve", "flush", "safe-mode", "upgrade", "check-for-updates",
	"install", "downgrade", "run", "make-static", "release", "renew", "blink",
	"traceroute", "send", "torch", "bandwidth-test", "force-update", "sniff",
	"reset-configuration", "setup", "backup", "wol", "profile", "clear", "cancel", "renew-all",
	"release-all", "make-supout", "check-installation", "unschedule", NULL,
};

static bool
listed(const char *const *list, const char *w)
{
	for (unsigned i = 0; list[i] != NULL; i++)
		if (strcmp(list[i], w) == 0)
			return true;
	return false;
}

/* Menus the importer translates, and /ip firewall: a child of these that
 * is not listed is a typo, not a menu of some newer RouterOS. */
static const char *const strict[] = {
	"/ip/route", "/ip/address", "/ip/firewall", "/ip/firewall/nat",
	"/ip/firewall/mangle", "/ip/settings", "/ip/dhcp-client", "/routing/table",
	"/interface/list", "/interface/list/member", "/tool/netwatch", NULL,
};

bool
rsc_menu_known(const char *menu)
{
	const char *last = strrchr(menu, '/');

	if (listed(menus, menu))
		return true;
	/* Below a listed menu of the second level or deeper (/ip smb
	 * shares, /interface ethernet switch port), exports hold more menus
	 * than any list keeps up with: take them, unless the parent is one
	 * whose children are all known. */
	if (last != NULL && last != menu) {
		char parent[MENU_LEN];

		snprintf(parent, sizeof(parent), "%.*s", (int)(last - menu), menu);
		if (strchr(parent + 1, '/') != NULL && !listed(strict, parent) &&
		    rsc_menu_known(parent))
			return true;
	}
	for (unsigned i = 0; opaque[i] != NULL; i++) {
		size_t n = strlen(opaque[i]);

		if (strncmp(menu, opaque[i], n) == 0 && (menu[n] == '\0' || menu[n] == '/'))
			return true;
	}
	return false;
}

const char *
rsc_menu_display(const char *menu, char *buf, size_t n)
{
	snprintf(buf, n, "%s", *menu ? menu : "/");
	for (char *p = buf + 1; *p; p++)
		if (*p == '/')
			*p = ' ';
	return buf;
}

const char *
rsc_cmd_get(const struct rsc_cmd *cmd, const char *name)
{
	for (unsigned i = 0; i < cmd->n_args; i++)
		if (cmd->args[i].name != NULL && strcmp(cmd->args[i].name, name) == 0)
			return cmd->args[i].value;
	return NULL;
}

/* ---- commands ---- */

/* Scan the arguments of a command into @cmd, up to its end. */
static void
parse_args(struct sc *s, struct rsc_cmd *cmd)
{
	for (;;) {
		struct rsc_arg a = { .line = s->line };
		bool empty;
		int c;

		skip_blank(s);
		c = peek(s, 0);
		if (is_end(c) || s->syntax)
			return;
		if (c == '#' && (s->i == 0 || s->s[s->i - 1] == ' ' || s->s[s->i - 1] == '\t')) {
			/* A comment after a command (seed 004 writes them). */
			skip_line(s);
			return;
		}
		if (c == ']' || c == ')' || c == '}') {
			syntax(s, s->line, s->i, "unexpected '%c'", c);
			return;
		}
		if (!is_special(c) && c != '=') {
			size_t st = s->i;
			const char *w = parse_bare(s, true);

			if (peek(s, 0) == '=' && *w != '\0') {
				s->i++;
				a.name = w;
				a.line = s->line;
				a.value = parse_value(s, &a.block, NULL, &empty);
				if (empty && !s->syntax)
					problem(s, RSC_ERROR, "%s: value missing after '='", w);
			} else {
				s->i = st;
				a.value = parse_value(s, &a.block, &a.filter, &empty);
			}
		} else if (c == '=') {
			syntax(s, s->line, s->i, "'=' without a name");
			return;
		} else {
			a.value = parse_value(s, &a.block, &a.filter, &empty);
		}
		if (s->syntax)
			return;
		if (cmd->n_args == RSC_MAX_ARGS) {
			problem(s, RSC_ERROR, "more than %d arguments", RSC_MAX_ARGS);
			continue;
		}
		cmd->args[cmd->n_args++] = a;
	}
}

/* Report what the command's scan left, if anything. Returns true when the
 * command may run. */
static bool
settle(struct sc *s, const struct rsc_cmd *cmd)
{
	if (!s->has_prob)
		return true;
	if (s->syntax)
		return false; /* statements() reports it, and where to resume */
	char menu[MENU_LEN];

	diag(s->run, s->prob_line, s->prob_kind, "%s%s%s%s: %s",
	     *cmd->menu ? rsc_menu_display(cmd->menu, menu, sizeof(menu)) : "",
	     *cmd->menu && *cmd->verb ? " " : "", cmd->verb,
	     s->prob_kind == RSC_SKIP ? " skipped" : "", s->prob);
	return false;
}

static void
do_block(struct sc *s, const struct rsc_arg *a)
{
	if (s->run->depth >= MAX_DEPTH) {
		diag(s->run, a->line, RSC_ERROR, "blocks nested too deep");
		return;
	}
	s->run->depth++;
	run_text(s->run, s->scope, a->value, strlen(a->value), a->line, s->scope->menu, NULL, NULL);
	s->run->depth--;
}

static const struct rsc_arg *
named(const struct rsc_cmd *cmd, const char *name)
{
	for (unsigned i = 0; i < cmd->n_args; i++)
		if (cmd->args[i].name != NULL && strcmp(cmd->args[i].name, name) == 0)
			return &cmd->args[i];
	return NULL;
}

static void
builtin(struct sc *s, const char *w, int line)
{
	struct rsc_cmd cmd = { .line = line, .menu = "", .verb = w };
	size_t cond = 0, cond_end = 0;
	int cond_line = line;

	/* :while re-reads its condition each round: keep where it is. */
	if (strcmp(w, ":while") == 0) {
		skip_blank(s);
		if (peek(s, 0) == '(') {
			struct sc t = *s;

			cond = s->i;
			cond_line = s->line;
			if (skip_balanced(&t))
				cond_end = t.i;
		}
	}
	parse_args(s, &cmd);
	if (!settle(s, &cmd))
		return;
	if (strcmp(w, ":while") == 0) {
		const struct rsc_arg *body = named(&cmd, "do");
		unsigned rounds = 0;

		if (cond_end == 0 || body == NULL || !body->block) {
			diag(s->run, line, RSC_ERROR, ":while: expected :while (CONDITION) do={ ... }");
			return;
		}
		for (;;) {
			struct sc t = { .run = s->run, .s = s->s + cond, .n = cond_end - cond,
					.line = cond_line, .scope = s->scope };
			bool empty;
			const char *v = parse_value(&t, NULL, NULL, &empty);

			if (t.has_prob || t.syntax) {
				diag(s->run, cond_line, RSC_SKIP, ":while: condition not known (%s); "
				     "the loop is not run further", t.prob);
				return;
			}
			if (!truthy(v))
				return;
			if (++rounds > 4096 || ++s->run->rounds > MAX_ROUNDS ||
			    s->run->depth >= MAX_DEPTH) {
				diag(s->run, line, RSC_SKIP, ":while: stopped after %u rounds", rounds - 1);
				return;
			}
			s->run->depth++;
			run_text(s->run, s->scope, body->value, strlen(body->value), body->line,
				 s->scope->menu, NULL, NULL);
			s->run->depth--;
		}
	}
	if (strcmp(w, ":local") == 0 || strcmp(w, ":global") == 0 || strcmp(w, ":set") == 0) {
		struct scope *sc = s->scope;
		const char *name = cmd.n_args > 0 ? cmd.args[0].value : NULL;

		if (name == NULL || cmd.args[0].name != NULL || !(isalpha((unsigned char)*name) ||
								 *name == '_')) {
			diag(s->run, line, RSC_ERROR, "%s: a variable name is expected", w);
			return;
		}
		if (strcmp(w, ":global") == 0) {
			sc = s->run->globals;
		} else if (strcmp(w, ":set") == 0) {
			for (struct scope *u = s->scope; u != NULL; u = u->up)
				for (struct var *v = u->vars; v != NULL; v = v->next)
					if (strcmp(v->name, name) == 0) {
						sc = u;
						goto found;
					}
			diag(s->run, line, RSC_NOTE, ":set %s: not declared with :local or :global; "
			     "taken as a local", name);
		}
found:
		if (cmd.n_args > 2)
			diag(s->run, line, RSC_ERROR, "%s %s: one value expected, %u given", w, name,
			     cmd.n_args - 1);
		var_set(s->run, sc, name, cmd.n_args > 1 ? cmd.args[1].value : "");
		return;
	}
	if (strcmp(w, ":if") == 0) {
		const struct rsc_arg *yes = named(&cmd, "do"), *no = named(&cmd, "else");

		if (cmd.n_args == 0 || cmd.args[0].name != NULL || yes == NULL) {
			diag(s->run, line, RSC_ERROR, ":if: expected :if (CONDITION) do={ ... }");
			return;
		}
		if (truthy(cmd.args[0].value)) {
			do_block(s, yes);
		} else if (no != NULL) {
			do_block(s, no);
		} else if (strcmp(cmd.args[0].value, "false") != 0) {
			diag(s->run, line, RSC_NOTE, ":if: condition \"%s\" taken as false",
			     cmd.args[0].value);
		}
		return;
	}
	if (strcmp(w, ":do") == 0) {
		if (cmd.n_args == 0 || !cmd.args[0].block) {
			diag(s->run, line, RSC_ERROR, ":do: a { } block is expected");
			return;
		}
		if (named(&cmd, "while") != NULL) {
			diag(s->run, line, RSC_SKIP, ":do ... while= loops are not evaluated");
			return;
		}
		/* on-error= runs only when the block fails; a configuration
		 * read here does not fail, so the block is what counts. */
		do_block(s, &cmd.args[0]);
		return;
	}
	if (strcmp(w, ":for") == 0) {
		const struct rsc_arg *from = named(&cmd, "from"), *to = named(&cmd, "to");
		const struct rsc_arg *step = named(&cmd, "step"), *body = named(&cmd, "do");
		long long a, b, st = 1;
		unsigned rounds = 0;

		if (cmd.n_args == 0 || cmd.args[0].name != NULL || from == NULL || to == NULL ||
		    body == NULL || !body->block) {
			diag(s->run, line, RSC_ERROR, ":for: expected :for VAR from=A to=B do={ ... }");
			return;
		}
		if (!is_num(from->value, &a) || !is_num(to->value, &b) ||
		    (step != NULL && (!is_num(step->value, &st) || st == 0))) {
			diag(s->run, line, RSC_SKIP, ":for: from, to and step must be known numbers");
			return;
		}
		/* RouterOS counts down when to < from. */
		if (step == NULL && b < a)
			st = -1;
		for (long long i = a; st > 0 ? i <= b : i >= b; i += st) {
			if (++rounds > 4096 || ++s->run->rounds > MAX_ROUNDS) {
				diag(s->run, line, RSC_SKIP, ":for: stopped after %u rounds", rounds - 1);
				break;
			}
			if (s->run->depth >= MAX_DEPTH)
				break;
			s->run->depth++;
			run_text(s->run, s->scope, body->value, strlen(body->value), body->line,
				 s->scope->menu, cmd.args[0].value, num_str(s, i));
			s->run->depth--;
		}
		return;
	}
	if (strcmp(w, ":put") == 0 || strcmp(w, ":log") == 0 || strcmp(w, ":delay") == 0 ||
	    strcmp(w, ":beep") == 0) {
		diag(s->run, line, RSC_NOTE, "%s: no effect on the configuration", w);
		return;
	}
	diag(s->run, line, RSC_SKIP, "%s is not evaluated (loops, functions and run-time "
	     "commands are not part of what the importer reads)", w);
}

/* Walk menu words from @menu; returns the verb (or "" when none). */
static const char *
menu_walk(struct sc *s, char *menu, bool absolute, bool *bad)
{
	*bad = false;
	for (;;) {
		size_t st;
		const char *w;
		char next[MENU_LEN];

		skip_blank(s);
		if (is_end(peek(s, 0)))
			return "";
		if (peek(s, 0) == '/') {
			if (!absolute) {
				syntax(s, s->line, s->i, "unexpected '/'");
				*bad = true;
				return "";
			}
			s->i++;
			continue;
		}
		st = s->i;
		w = parse_bare(s, true);
		if (*w == '\0' || peek(s, 0) == '=') {
			s->i = st;
			return "";
		}
		/* /ip/route/add: split at slashes. */
		{
			const char *sl = strchr(w, '/');

			if (sl != NULL) {
				s->i = st + (size_t)(sl - w);
				w = adup(s->run, w, (size_t)(sl - w));
				absolute = true;
			}
		}
		if (strcmp(w, "..") == 0) {
			char *p = strrchr(menu, '/');

			if (p != NULL)
				*p = '\0';
			continue;
		}
		snprintf(next, sizeof(next), "%s/%s", menu, w);
		/* A listed menu, then a command, then a menu taken on trust
		 * (rsc_menu_known): "set" below /ip smb shares is the command. */
		if (listed(menus, next) || (!listed(verbs, w) && rsc_menu_known(next))) {
			snprintf(menu, MENU_LEN, "%s", next);
			continue;
		}
		if (listed(verbs, w)) {
			if (peek(s, 0) == '/')
				s->i++;
			return w;
		}
		char disp[MENU_LEN];

		problem(s, RSC_ERROR, "unknown menu or command \"%s\" in %s", w,
			rsc_menu_display(menu, disp, sizeof(disp)));
		*bad = true;
		return w;
	}
}

static void
command(struct sc *s)
{
	int line = s->line;
	struct rsc_cmd cmdbuf, *cmd = &cmdbuf; /* the arena would keep it */
	char menu[MENU_LEN];
	bool absolute = peek(s, 0) == '/', bad;
	const char *verb;

	s->has_prob = false;
	if (peek(s, 0) == ':') {
		builtin(s, parse_bare(s, true), line);
		return;
	}
	snprintf(menu, sizeof(menu), "%s", absolute ? "" : s->scope->menu);
	verb = menu_walk(s, menu, absolute, &bad);
	memset(cmd, 0, sizeof(*cmd));
	cmd->line = line;
	cmd->menu = adup(s->run, menu, strlen(menu));
	cmd->verb = verb;
	if (s->syntax) {
		settle(s, cmd);
		return;
	}
	if (!bad && *verb == '\0') {
		/* A menu alone: the following commands are in it. */
		if (!is_end(peek(s, 0))) {
			char disp[MENU_LEN];

			problem(s, RSC_ERROR, "a command (add, set, ...) is expected in %s",
				rsc_menu_display(menu, disp, sizeof(disp)));
			parse_args(s, cmd);
			settle(s, cmd);
			return;
		}
		snprintf(s->scope->menu, sizeof(s->scope->menu), "%s", menu);
		return;
	}
	parse_args(s, cmd);
	if (!settle(s, cmd) || bad)
		return;
	if (*menu == '\0' && strcmp(verb, "export") != 0 && strcmp(verb, "import") != 0 &&
	    strcmp(verb, "ping") != 0 && strcmp(verb, "resolve") != 0) {
		diag(s->run, line, RSC_ERROR, "%s outside any menu", verb);
		return;
	}
	if (s->run->ops->cmd)
		s->run->ops->cmd(s->run->ops->ctx, cmd);
}

/* Statements up to the end of the text. */
static void
statements(struct sc *s)
{
	for (;;) {
		int c;

		skip_blank(s);
		c = peek(s, 0);
		if (c == -1)
			return;
		if (c == '\n') {
			s->i++;
			s->line++;
			continue;
		}
		if (c == ';')  {
			s->i++;
			continue;
		}
		if (c == '#') {
			skip_line(s);
			continue;
		}
		s->syntax = false;
		s->has_prob = false;
		if (c == '{') {
			struct rsc_arg a = { .line = s->line };
			size_t st = s->i;

			if (skip_balanced(s)) {
				a.value = adup(s->run, s->s + st + 1, s->i - st - 2);
				do_block(s, &a);
				continue;
			}
		} else if (c == '}' || c == ']' || c == ')') {
			syntax(s, s->line, s->i, "unexpected '%c'", c);
		} else {
			command(s);
		}
		if (s->syntax) {
			/* Resume on the line after the broken construct began. */
			diag(s->run, s->syn_line, RSC_ERROR, "%s", s->prob);
			s->i = s->syn_pos;
			s->line = s->syn_line;
			skip_line(s);
			s->syntax = false;
			s->has_prob = false;
			continue;
		}
		skip_blank(s);
		c = peek(s, 0);
		if (!is_end(c)) {
			diag(s->run, s->line, RSC_ERROR, "unexpected '%c' after a command", c);
			skip_line(s);
		}
	}
}

/* Run @text in a new scope under @up; @var, when given, is set in it
 * first (a :for loop's counter). */
static void
run_text(struct run *r, struct scope *up, const char *text, size_t len, int line,
	 const char *menu, const char *var, const char *value)
{
	struct scope *scope = aalloc(r, sizeof(*scope));
	struct sc s = { .run = r, .s = text, .n = len, .line = line, .scope = scope };

	scope->up = up;
	scope->vars = NULL;
	snprintf(scope->menu, sizeof(scope->menu), "%s", menu);
	if (var != NULL)
		var_set(r, scope, var, value);
	statements(&s);
}

int
rsc_script_run(const char *text, size_t len, int first_line, const char *menu,
	       const struct rsc_ops *ops)
{
	struct run r = { .ops = ops };
	struct scope *g;
	int errors;

	g = aalloc(&r, sizeof(*g));
	memset(g, 0, sizeof(*g));
	r.globals = g;
	run_text(&r, g, text, len, first_line, menu ? menu : "", NULL, NULL);
	errors = r.errors;
	while (r.arena != NULL) {
		struct chunk *c = r.arena;

		r.arena = c->next;
		free(c);
	}
	return errors;
}
