/* SPDX-License-Identifier: BSD-3-Clause
 * switchback tests and benchmarks: a reader lcore under RCU, as a worker
 * is (docs/threading.md): registered, online, reporting a quiescent state
 * after each round of reads until told to stop. */
#ifndef SB_TEST_RCU_READER_H
#define SB_TEST_RCU_READER_H

#include <stdint.h>

#include <rte_rcu_qsbr.h>

/* What a reader lcore runs on: its RCU variable, the flag that stops it
 * and one round of its reads (given the struct this one begins). */
struct reader {
	struct rte_rcu_qsbr *qs;
	uint32_t stop;
	void (*read)(void *sh);
};

/* A reader lcore's life (@arg begins with its struct reader): thread 0
 * of the RCU variable, online, one round of reads and then a quiescent
 * state until stopped. */
static inline int
rcu_reader(void *arg)
{
	struct reader *r = arg;

	rte_rcu_qsbr_thread_register(r->qs, 0);
	rte_rcu_qsbr_thread_online(r->qs, 0);
	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		r->read(arg);
		rte_rcu_qsbr_quiescent(r->qs, 0);
	}
	rte_rcu_qsbr_thread_offline(r->qs, 0);
	rte_rcu_qsbr_thread_unregister(r->qs, 0);
	return 0;
}

#endif
