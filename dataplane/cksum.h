/* SPDX-License-Identifier: BSD-3-Clause
 * switchback: incremental Internet checksum updates (RFC 1624). */
#ifndef SB_CKSUM_H
#define SB_CKSUM_H

#include <stdint.h>
#include <string.h>

/** 16-bit load and store at any alignment, bytes as they lie. */
static inline uint16_t
sb_ld16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

static inline void
sb_st16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

/** A 16-bit field in network order to host order (and back). DPDK's
 * rte_be_to_cpu_16 is an inline asm xchg on x86 that the compiler cannot
 * fold or schedule; the builtin can. */
static inline uint16_t
sb_be16(uint16_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return __builtin_bswap16(v);
#else
	return v;
#endif
}

static inline uint16_t
sb_csum_fold(uint32_t s)
{
	/* s plus itself rotated by 16 has the halves' end-around sum in
	 * its top half (the carry out of the bottom half is the one the
	 * second fold of (s & 0xffff) + (s >> 16) would add): the same
	 * value for every s, in four instructions where two folds took
	 * six. */
	s += s << 16 | s >> 16;
	return (uint16_t)(s >> 16);
}

/** Checksum @c (as stored in the header) after a 16-bit word changed from
 * @old to @new. Byte order: all three as they lie in the packet. */
static inline uint16_t
sb_csum_update16(uint16_t c, uint16_t old, uint16_t new)
{
	/* HC' = ~(~HC + ~m + m') */
	uint32_t s = (uint16_t)~c + (uint32_t)(uint16_t)~old + new;

	return (uint16_t)~sb_csum_fold(s);
}

/** Same for a 32-bit field (an address). */
static inline uint16_t
sb_csum_update32(uint16_t c, uint32_t old, uint32_t new)
{
	uint32_t s = (uint16_t)~c;

	s += (uint16_t)~(old >> 16) + (uint16_t)~(old & 0xffff);
	s += (new >> 16) + (new & 0xffff);
	return (uint16_t)~sb_csum_fold(s);
}

/* A 16-bit field of a packet at any alignment, for the asm below. */
typedef uint16_t __attribute__((may_alias, aligned(1))) sb_u16_any;

/** The ones' complement sum of @a and @b (end-around carry): zero only
 * when both are. */
static inline uint16_t
sb_csum_add(uint16_t a, uint16_t b)
{
#if defined(__x86_64__) || defined(__i386__)
	__asm__("addw %1, %0\n\tadcw $0, %0" : "+r"(a) : "ri"(b) : "cc");
	return a;
#else
	uint32_t s = (uint32_t)a + b;

	return (uint16_t)(s + (s >> 16));
#endif
}

/** The checksum at @p (as it lies) less @x in ones' complement, in place:
 * HC' = HC - x with an end-around borrow, which is RFC 1624's
 * ~(~HC + x) (eqn. 3) for every HC and x, 0x0000 where it gives 0x0000
 * (checked over all 2^32 pairs, tests/test_checksum.c): a subtract and a
 * subtract-with-borrow on memory where the fold took ten instructions.
 * (No second borrow: HC - x + 0x10000 >= 1.) */
static inline void
sb_csum_sub_at(uint8_t *p, uint16_t x)
{
#if defined(__x86_64__) || defined(__i386__)
	__asm__("subw %1, %0\n\tsbbw $0, %0" : "+m"(*(sb_u16_any *)p) : "r"(x) : "cc");
#else
	uint16_t c = sb_ld16(p);
	uint32_t d = (uint32_t)c - x;

	sb_st16(p, (uint16_t)(d - (d >> 31)));
#endif
}

/** The checksum at @p plus @x in ones' complement, in place: HC + x with
 * an end-around carry (no second carry: the sum is at most 0x1fffe).
 * Never 0x0000 unless both are: where RFC 1624 gives 0x0000 this gives
 * 0xffff, which is what a UDP checksum must carry (RFC 768). */
static inline void
sb_csum_add_at(uint8_t *p, uint16_t x)
{
#if defined(__x86_64__) || defined(__i386__)
	__asm__("addw %1, %0\n\tadcw $0, %0" : "+m"(*(sb_u16_any *)p) : "r"(x) : "cc");
#else
	sb_st16(p, sb_csum_add(sb_ld16(p), x));
#endif
}

/** UDP: a zero checksum means "none" and stays zero; a computed zero is
 * sent as 0xffff (RFC 768). */
static inline uint16_t
sb_csum_udp_fix(uint16_t orig, uint16_t updated)
{
	if (orig == 0)
		return 0;
	return updated == 0 ? 0xffff : updated;
}

#endif
