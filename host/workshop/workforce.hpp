// The workforce: a workshop's workers (roster), their contracts and inspectors (timer wheel).
//
// Rules, in ticks (ticks.hpp), as docs/design.md and docs/flows.md state them:
//   - A material of a pid finds its worker or hires one (hired = last_seen = its tick). Every
//     material renews the contract: last_seen = its tick (a late material, one whose tick is
//     before last_seen, leaves last_seen alone).
//   - A worker whose pid brings no material for `contract` ticks is fired (FACTORY_FIRED_IDLE) at
//     exactly last_seen + contract. The caller advances before assigning, so a material whose
//     tick is exactly last_seen + contract finds a new worker.
//   - With max_age, a worker is fired (FACTORY_FIRED_MAX_AGE) at hired + max_age.
//   - With inspect, the inspector visits a worker at every hired + k * inspect (k >= 1) while it
//     lives; when the visit says the work is done, it is fired (FACTORY_FIRED_DONE).
//   - With max_workers, hiring while the roster holds max_workers first fires
//     (FACTORY_FIRED_EVICTED) the worker whose next event (idle, inspection or maximum age) is
//     soonest. Without an inspector that is the worker closest to going idle or to its maximum
//     age; with one, the next inspection usually comes first, so the choice follows the
//     inspection phase (nearly arbitrary) rather than how recently a worker was seen.
//   - At one tick the order is: idle, then max age, then inspection; so a worker that goes idle
//     or reaches its maximum age at an inspection tick is fired without that visit.
//   - Within one tick, workers are visited in the order their timers were set.
//
// How: a worker's `due` is the earliest of last_seen + contract, its next inspection and
// hired + max_age, as known when it was last scheduled, and the wheel holds one entry for it at
// that tick. Materials only stamp last_seen; when the entry comes round the worker is either
// fired or rescheduled with what is true then. So a material costs a lookup and two stores, and
// the wheel costs O(1) per worker per contract or inspection period, not per material.
//
// Time jumps: advance() walks only the ticks whose bucket holds entries. While no material comes
// (a gap in a capture), every worker is fired within `contract` ticks, because no due is ever
// later than last_seen + contract; once the roster is empty the clock jumps straight to the
// target. So a jump costs at most `contract` ticks' worth of sweeps (empty buckets are skipped 64
// at a time) plus the workers it fires (wheel_bench: ~80 ns per worker for a million).
// A single advance() must stay below 2^31 ticks (ticks.hpp); the caller splits longer gaps.
//
// Hooks, called directly (no type erasure), on the workforce's thread:
//   void fire(worker_slot& worker, void* state, std::uint32_t reason, tick now);
//       the worker is leaving (reason: FACTORY_FIRED_*); it is erased after the call returns.
//   bool inspect(worker_slot& worker, void* state, tick now);
//       the inspector's visit; true means the work is done: the worker is fired with
//       FACTORY_FIRED_DONE.
// Hooks may ship products, but must not call back into the workforce or touch its roster.
//
// Pointer validity: a worker_slot* (and its state) from assign() or find() stays valid until the
// next assign(), advance(), fire(), dismiss(), fire_all() or reserve(): each of them may hire,
// fire or grow, which moves workers. Inside a hook, only the worker passed to it is valid.
//
// Threads: one thread (the workshop's) owns a workforce; nothing is shared. Steady state does not
// allocate: only roster growth (avoid it with reserve()) and wheel buckets that outgrow their
// capacity do.
#pragma once

#include "common/hash.hpp"
#include "workshop/roster.hpp"
#include "workshop/ticks.hpp"
#include "workshop/timer_wheel.hpp"

#include <factory/abi.h>

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <utility>

namespace factory::workshop {

struct contract_policy {
    tick contract = 0;              // idle timeout in ticks: 1 .. max_duration
    tick inspect = 0;               // inspection interval in ticks, 0: no inspector
    tick max_age = 0;               // maximum worker age in ticks, 0: none
    std::uint64_t max_workers = 0;  // roster limit, 0: unlimited
};

// hired == fired_total() + dismissed + size() at any time.
struct workforce_counters {
    std::uint64_t hired = 0;
    std::array<std::uint64_t, 6> fired{}; // indexed by FACTORY_FIRED_*; [0]: any other reason
    std::uint64_t dismissed = 0;          // removed without the fire hook (dismiss())
    std::uint64_t inspections = 0;

    std::uint64_t fired_total() const noexcept {
        std::uint64_t n = 0;
        for (const std::uint64_t f : fired) {
            n += f;
        }
        return n;
    }
};

template <class H>
concept workforce_hooks = requires(H& h, worker_slot& w, void* state, std::uint32_t reason, tick t) {
    { h.fire(w, state, reason, t) };
    { h.inspect(w, state, t) } -> std::convertible_to<bool>;
};

template <class Hooks>
    requires workforce_hooks<Hooks>
class workforce {
public:
    // hooks: copied (a small object that refers to its owner, typically). state_size and
    // state_align: the blueprint's (state_align a power of two up to 16). start: the clock (see
    // now(); start() can set it later). Throws std::invalid_argument for a contract of 0, any
    // duration above max_duration or a bad alignment.
    workforce(Hooks hooks, const contract_policy& policy, std::size_t state_size,
              std::size_t state_align, tick start = 0)
        : policy_(checked(policy)), hooks_(std::move(hooks)), roster_(state_size, state_align),
          wheel_(horizon(policy_), start) {}

    // Sets the clock: every tick up to t counts as processed. For a clock that starts at the
    // first material's time (capture time). Only while there is no worker: throws
    // std::logic_error otherwise.
    void start(tick t) {
        if (!roster_.empty()) {
            throw std::logic_error("workforce::start: the roster is not empty");
        }
        wheel_.reset(t);
    }

    // No inspections from now on (the blueprint has no inspector). Before the first hire it also
    // sizes the wheel for the contract alone; later, workers simply stop being visited.
    void disable_inspections() {
        policy_.inspect = 0;
        if (roster_.empty()) {
            wheel_ = timer_wheel(horizon(policy_), wheel_.now());
        }
    }

    // The worker for pid, hiring one (hired = true) when there is none; renews its contract and
    // counts the material. `mixed` must be factory::mix(pid). `now` is the material's tick: at
    // most now() (a later one first advances to it), and a tick before now() is a late material.
    worker_slot* assign(std::uint64_t pid, std::uint64_t mixed, tick now, bool& hired) {
        if (tick_after(now, wheel_.now())) {
            advance(now);
        }
        worker_slot* s;
        if (policy_.max_workers != 0 && roster_.size() >= policy_.max_workers) {
            s = roster_.find(pid, mixed);
            if (s == nullptr) {
                evict_earliest(now);
                s = roster_.insert(pid, mixed);
                hired = true;
            } else {
                hired = false;
            }
        } else {
            s = roster_.find_or_insert(pid, mixed, hired);
        }
        if (hired) {
            s->hired = now;
            s->last_seen = now;
            s->due = next_due(*s, wheel_.now());
            wheel_.schedule(pid, s->due);
            ++counters_.hired;
        } else {
            s->last_seen = tick_latest(s->last_seen, now);
            s->materials += s->materials != UINT32_MAX ? 1U : 0U;
        }
        return s;
    }

    // Processes every tick after now() up to `now` in order (see the rules above); then
    // now() == `now`. A `now` not after now() does nothing.
    void advance(tick now) {
        sweeper owner{*this};
        wheel_.advance(now, owner);
    }

    // Fires pid's worker, if there is one, with `reason` (e.g. FACTORY_FIRED_DONE after the
    // blueprint returned FACTORY_DONE for a material). Returns whether there was one.
    bool fire(std::uint64_t pid, std::uint64_t mixed, std::uint32_t reason, tick now) {
        worker_slot* s = roster_.find(pid, mixed);
        if (s == nullptr) {
            return false;
        }
        // Its wheel entry goes stale and is dropped when it comes round.
        let_go(s, reason, now);
        return true;
    }

    // Removes pid's worker, if there is one, without calling the fire hook (e.g. the blueprint
    // refused to hire it, so there is nothing to tell it). Counted as dismissed. Returns whether
    // there was one.
    bool dismiss(std::uint64_t pid, std::uint64_t mixed) noexcept {
        worker_slot* s = roster_.find(pid, mixed);
        if (s == nullptr) {
            return false;
        }
        roster_.erase(s);
        ++counters_.dismissed;
        return true;
    }

    // Fires every worker exactly once with `reason` (shutdown); the roster is empty afterwards.
    void fire_all(std::uint32_t reason, tick now) {
        const std::size_t slot = reason < counters_.fired.size() ? reason : 0;
        roster_.for_each([&](worker_slot& w) {
            hooks_.fire(w, roster_.state(&w), reason, now);
            ++counters_.fired[slot];
        });
        roster_.clear();
        wheel_.clear();
    }

    worker_slot* find(std::uint64_t pid, std::uint64_t mixed) noexcept {
        return roster_.find(pid, mixed);
    }

    // A worker restored from a checkpoint, with its times already on this clock (ticks at or
    // before now()): scheduled for its next event after now(), which is the next tick when its
    // contract ran out meanwhile. Returns its state, zeroed for the caller to fill; nullptr when
    // pid already has a worker (a checkpoint never holds one pid twice). Not counted as hired.
    void* restore(std::uint64_t pid, std::uint64_t mixed, tick hired, tick last_seen, std::uint32_t materials) {
        bool inserted = false;
        worker_slot* s = roster_.find_or_insert(pid, mixed, inserted);
        if (!inserted) {
            return nullptr;
        }
        s->hired = hired;
        s->last_seen = last_seen;
        s->materials = materials != 0 ? materials : 1;
        s->due = next_due(*s, wheel_.now());
        wheel_.schedule(pid, s->due);
        return roster_.state(s);
    }

    // Calls f(const worker_slot&, const void* state) for every live worker (a checkpoint).
    template <class F>
    void each(F&& f) {
        roster_.for_each([&](worker_slot& w) { f(static_cast<const worker_slot&>(w), static_cast<const void*>(roster_.state(&w))); });
    }
    // For a batch: hint the CPU to fetch the worker of a material that comes soon. Rolling, about
    // 8 to 16 materials ahead of the one being assigned, is what pays (roster_bench: with a
    // million workers at random, ~72 -> ~43 ns per assign); prefetching a whole batch of 256
    // before assigning it floods the memory system and gains little; with a roster in cache it
    // changes nothing.
    void prefetch(std::uint64_t mixed) const noexcept { roster_.prefetch(mixed); }
    // Room for n workers without rehashing.
    void reserve(std::size_t n) { roster_.reserve(n); }
    void* state(worker_slot* s) const noexcept { return roster_.state(s); }

    // The clock: every tick up to it has been processed.
    tick now() const noexcept { return wheel_.now(); }
    std::size_t size() const noexcept { return roster_.size(); }
    // Roster slots plus the wheel's buckets and entries.
    std::size_t memory_bytes() const noexcept {
        return roster_.memory_bytes() + wheel_.memory_bytes();
    }
    const workforce_counters& counters() const noexcept { return counters_; }
    const contract_policy& policy() const noexcept { return policy_; }
    const class roster& roster() const noexcept { return roster_; }
    const timer_wheel& wheel() const noexcept { return wheel_; }
    Hooks& hooks() noexcept { return hooks_; }

private:
    // What timer_wheel::advance() calls back.
    struct sweeper {
        workforce& w;
        void expire(std::uint64_t pid, tick t) { w.expire(pid, t); }
        void prefetch(std::uint64_t pid) const noexcept { w.roster_.prefetch(mix(pid)); }
        bool idle() const noexcept { return w.roster_.empty(); }
    };

    static const contract_policy& checked(const contract_policy& p) {
        if (p.contract == 0 || p.contract > max_duration) {
            throw std::invalid_argument("contract: the idle timeout must be 1 ms .. 2^31-1 ms");
        }
        if (p.inspect > max_duration || p.max_age > max_duration) {
            throw std::invalid_argument(
                "contract: the inspection interval and maximum age must be at most 2^31-1 ms");
        }
        return p;
    }

    // No due is ever further than this from the tick it is scheduled at: the idle time ends
    // within `contract`, and the next inspection within `inspect`. Sizing the wheel by the
    // shorter keeps every bucket in use: with a wheel longer than the inspection interval, each
    // bucket would in turn fill with a whole interval's worth of workers and keep that capacity.
    static tick horizon(const contract_policy& p) noexcept {
        return p.inspect != 0 && p.inspect < p.contract ? p.inspect : p.contract;
    }

    // The earliest event of a worker strictly after tick `after` (>= the worker's last_seen and
    // hired): idle, next inspection or maximum age.
    tick next_due(const worker_slot& s, tick after) const noexcept {
        const auto idle = static_cast<std::int32_t>(s.last_seen + policy_.contract - after);
        tick wait = idle > 0 ? static_cast<tick>(idle) : 1;
        if (policy_.inspect != 0) {
            const tick to_visit = policy_.inspect - (after - s.hired) % policy_.inspect;
            wait = to_visit < wait ? to_visit : wait;
        }
        if (policy_.max_age != 0) {
            const auto age_left = static_cast<std::int32_t>(s.hired + policy_.max_age - after);
            const tick to_age = age_left > 0 ? static_cast<tick>(age_left) : 1;
            wait = to_age < wait ? to_age : wait;
        }
        return after + wait;
    }

    void expire(std::uint64_t pid, tick t) {
        worker_slot* s = roster_.find(pid, mix(pid));
        if (s == nullptr || s->due != t) {
            return; // a stale entry: the worker is gone or was rescheduled
        }
        if (t - s->last_seen >= policy_.contract) {
            let_go(s, FACTORY_FIRED_IDLE, t);
            return;
        }
        const tick age = t - s->hired;
        if (policy_.max_age != 0 && age >= policy_.max_age) {
            let_go(s, FACTORY_FIRED_MAX_AGE, t);
            return;
        }
        if (policy_.inspect != 0 && age != 0 && age % policy_.inspect == 0) {
            ++counters_.inspections;
            if (hooks_.inspect(*s, roster_.state(s), t)) {
                let_go(s, FACTORY_FIRED_DONE, t);
                return;
            }
        }
        s->due = next_due(*s, t);
        wheel_.schedule(pid, s->due);
    }

    // Fires the worker whose next event is soonest. A worker's due can be stale-early (it was
    // renewed since it was scheduled), so the candidate is first brought up to date, exactly as
    // its entry coming round would do, and the search repeats; the work is what advance() would
    // have spent on it anyway.
    void evict_earliest(tick now) {
        const auto due_of = [this](std::uint64_t pid, tick& due) {
            const worker_slot* s = roster_.find(pid, mix(pid));
            if (s == nullptr) {
                return false;
            }
            due = s->due;
            return true;
        };
        std::uint64_t pid = 0;
        tick due = 0;
        // Every live worker has an entry at its due, so this finds one while the roster is not
        // empty.
        while (wheel_.earliest(due_of, pid, due)) {
            worker_slot* s = roster_.find(pid, mix(pid));
            wheel_.remove(pid, due);
            const tick current = next_due(*s, wheel_.now());
            if (tick_after(current, due)) {
                s->due = current;
                wheel_.schedule(pid, current);
                continue;
            }
            let_go(s, FACTORY_FIRED_EVICTED, now);
            return;
        }
    }

    void let_go(worker_slot* s, std::uint32_t reason, tick now) {
        hooks_.fire(*s, roster_.state(s), reason, now);
        ++counters_.fired[reason < counters_.fired.size() ? reason : 0];
        roster_.erase(s);
    }

    contract_policy policy_;
    Hooks hooks_;
    class roster roster_;
    timer_wheel wheel_;
    workforce_counters counters_;
};

} // namespace factory::workshop
