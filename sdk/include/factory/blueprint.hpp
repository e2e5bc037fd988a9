// Writing a blueprint: a class with typed per-key state and one registration line.
//
//   struct tally { std::uint64_t count; };                       // trivially copyable state
//   struct tally_out { std::uint64_t pid, count; };
//   inline const factory::schema tally_schema = factory::make_schema<tally_out>(
//       {FACTORY_FIELD(tally_out, pid), FACTORY_FIELD(tally_out, count)});
//
//   class counter : public factory::blueprint<tally> {
//   public:
//       static constexpr factory::info info{"counter", "1.0.0", "counts materials per pid"};
//       static inline const factory::pclass_def pclasses[] = {{"counts", &tally_schema}};
//       counter(const factory::settings&, factory::host h) : blueprint(h) {}
//       factory::verdict on_material(worker& w, const factory::material&) {
//           ++w.state().count; return factory::verdict::keep; }
//       void on_fire(worker& w, factory::fire_reason, std::int64_t) {
//           ship(w.pid(), 0, tally_out{w.pid(), w.state().count}); }
//   };
//   FACTORY_BLUEPRINT(counter)
//
// Hooks a class may define (all optional except on_material): on_hire, on_material, on_inspect,
// on_fire; `static inline const factory::setting settings[]` declares its settings.
//
// Refusing a material (status codes on the data path, no exception, no allocation):
//       if (p == nullptr) return refuse("packet %llu: too short", n);
// from on_material, on_inspect or an on_hire that returns factory::verdict. The material is
// dead-lettered with that reason (printf format, cut at 255 bytes); a refused first material
// leaves no worker behind. Throwing from those hooks does the same with the exception's message
// (fine at start-up, but it allocates: keep it off the per-material path).
//
// Checkpoints (--checkpoint) keep each worker's state bytes. Declaring the state's fields, as a
// product's are, lets the host tell a state layout from another (its fingerprint covers names,
// types, offsets and sizes; without it, only the state's size and alignment), so a checkpoint is
// restored only into a build that reads it the same way:
//       static inline const factory::schema state_layout = factory::make_schema<tally>(
//           {FACTORY_FIELD(tally, count)});
// A build whose state changed can still restore checkpoints of the previous layout: declare that
// type, its fields and how to turn it into the new state (the new state arrives value-initialised;
// throw factory::error to refuse the restore):
//       struct tally_v1 { std::uint32_t count; };
//       using previous_state = tally_v1;
//       static inline const factory::schema previous_state_layout = factory::make_schema<tally_v1>(
//           {FACTORY_FIELD(tally_v1, count)});
//       void on_upgrade(const previous_state& old, tally& now) { now.count = old.count; }
// (previous_state, previous_state_layout and on_upgrade go together: one without the others does
// not compile.)
//
// Typed materials: a blueprint may declare the fields it reads; a source that can (jsonl) then
// decodes each record once, in purchasing, into that struct (FACTORY_FORMAT_RECORD):
//       struct click { std::int64_t ts; char page[64]; };
//       using material_record = click;
//       static inline const factory::schema material_layout = factory::make_schema<click>(
//           {FACTORY_FIELD(click, ts), FACTORY_FIELD(click, page)});
//       ... const click* c = m.record<click>();
// The host refuses to pair such a blueprint with a source that cannot fill records, unless it also
// declares `static constexpr bool takes_raw = true;` and reads raw materials itself (then
// m.record<click>() is nullptr for those). Without takes_raw, a raw material that reaches it anyway
// (a source told not to fill records) is refused before on_material with "expected a typed record".
#pragma once

#include <factory/plugin.hpp>

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <new>
#include <type_traits>
#include <vector>

namespace factory {

// What a hook says about a material: keep the worker, it is done (fire it now), or refused (the
// material is dead-lettered with the reason blueprint::refuse() wrote).
class verdict {
public:
    static const verdict keep;
    static const verdict done;
    static const verdict refused;

    constexpr int code() const noexcept { return code_; }
    friend constexpr bool operator==(verdict, verdict) noexcept = default;

private:
    constexpr explicit verdict(int code) noexcept : code_(code) {}
    int code_;
};
inline constexpr verdict verdict::keep{FACTORY_OK};
inline constexpr verdict verdict::done{FACTORY_DONE};
inline constexpr verdict verdict::refused{FACTORY_ERROR};

namespace detail {
template <class T> struct blueprint_trampolines;
}

enum class fire_reason : std::uint32_t {
    idle = FACTORY_FIRED_IDLE,
    max_age = FACTORY_FIRED_MAX_AGE,
    done = FACTORY_FIRED_DONE,
    shutdown = FACTORY_FIRED_SHUTDOWN,
    evicted = FACTORY_FIRED_EVICTED
};

inline const char* to_string(fire_reason r) noexcept {
    switch (r) {
    case fire_reason::idle: return "idle";
    case fire_reason::max_age: return "max_age";
    case fire_reason::done: return "done";
    case fire_reason::shutdown: return "shutdown";
    case fire_reason::evicted: return "evicted";
    }
    return "unknown";
}

// One key's worker as the blueprint sees it; valid only during the hook.
template <class State>
class worker {
public:
    explicit worker(factory_worker* raw) noexcept : raw_(raw) {}
    std::uint64_t pid() const noexcept { return raw_->pid; }
    State& state() noexcept { return *static_cast<State*>(raw_->state); }
    std::int64_t hired_ns() const noexcept { return raw_->hired_ns; }
    std::int64_t last_seen_ns() const noexcept { return raw_->last_seen_ns; }
    std::uint32_t materials() const noexcept { return raw_->materials; }

private:
    factory_worker* raw_;
};

template <class State>
class blueprint {
public:
    static_assert(std::is_trivially_copyable_v<State> && std::is_trivially_destructible_v<State>,
                  "worker state lives in the roster, which moves it with memcpy: it must be "
                  "trivially copyable (no std::string, no pointers to itself)");
    static_assert(alignof(State) <= 16, "worker state alignment must be at most 16");
    using state_type = State;
    using worker = factory::worker<State>;

    explicit blueprint(factory::host h) noexcept : host_(h) {}

    // Ships a product of class `pclass` (index into pclasses[]). Returns false when the host refused
    // it (wrong size or class); the host has then counted and dead-lettered it.
    template <class Record>
    bool ship(std::uint64_t pid, std::uint32_t pclass, const Record& record) const noexcept {
        static_assert(std::is_trivially_copyable_v<Record>);
        const factory_host* h = host_.raw();
        return h->host_ship(h->self, pid, pclass, &record, sizeof(Record)) == FACTORY_OK;
    }
    const factory::host& host() const noexcept { return host_; }

    // Refuses the material (or inspection) of the running hook: writes the reason, printf-style
    // and cut at 255 bytes, into the hook's factory_error and returns verdict::refused. No
    // allocation. Call only from inside a hook, and return what it returns.
    verdict refuse(const char* format, ...) noexcept __attribute__((format(printf, 2, 3))) {
        if (refusal_ != nullptr) {
            std::va_list args;
            va_start(args, format);
            std::vsnprintf(refusal_->message, sizeof(refusal_->message), format, args);
            va_end(args);
        }
        return verdict::refused;
    }

    // Defaults, hidden by the derived class's own hooks.
    void on_hire(worker&, const material&) {}
    verdict on_inspect(worker&, std::int64_t) { return verdict::keep; }
    void on_fire(worker&, fire_reason, std::int64_t) {}

private:
    template <class> friend struct detail::blueprint_trampolines;

    factory::host host_;
    factory_error* refusal_ = nullptr; // the running hook's; set by the trampolines
};

namespace detail {

template <class T>
struct blueprint_trampolines {
    using state = typename T::state_type;
    using worker_t = factory::worker<state>;

    static int open(const factory_host* h, const factory_settings* s, void** instance,
                    factory_error* err) noexcept {
        try {
            *instance = new T(factory::settings(s), factory::host(h));
            return FACTORY_OK;
        } catch (const std::exception& e) { return fail(err, e); } catch (...) { return fail_unknown(err); }
    }
    // Points refuse() at this hook's factory_error for the length of the call.
    static T* enter(void* self, factory_error* err) noexcept {
        T* me = static_cast<T*>(self);
        static_cast<factory::blueprint<state>*>(me)->refusal_ = err;
        return me;
    }
    static int hire(void* self, factory_worker* w, const factory_material* m, factory_error* err) noexcept {
        try {
            ::new (w->state) state{};
            worker_t wk(w);
            T* me = enter(self, err);
            if constexpr (std::is_same_v<decltype(me->on_hire(wk, material(m))), verdict>) {
                // on_hire has no "done": a worker is fired only after a material it assembled.
                return me->on_hire(wk, material(m)) == verdict::refused ? FACTORY_ERROR : FACTORY_OK;
            } else {
                me->on_hire(wk, material(m));
                return FACTORY_OK;
            }
        } catch (const std::exception& e) { return fail(err, e); } catch (...) { return fail_unknown(err); }
    }
    static int on_material(void* self, factory_worker* w, const factory_material* m, factory_error* err) noexcept {
        if constexpr (requires { typename T::material_record; } && !takes_raw()) {
            if (m->format != FACTORY_FORMAT_RECORD || m->size != sizeof(typename T::material_record)) {
                char why[96];
                std::snprintf(why, sizeof why, "expected a typed record of %zu bytes, got format %u of %u bytes",
                              sizeof(typename T::material_record), static_cast<unsigned>(m->format),
                              static_cast<unsigned>(m->size));
                copy_message(err, why);
                return FACTORY_ERROR;
            }
        }
        try {
            worker_t wk(w);
            return enter(self, err)->on_material(wk, material(m)).code();
        } catch (const std::exception& e) { return fail(err, e); } catch (...) { return fail_unknown(err); }
    }
    static int inspect(void* self, factory_worker* w, std::int64_t now, factory_error* err) noexcept {
        try {
            worker_t wk(w);
            return enter(self, err)->on_inspect(wk, now).code();
        } catch (const std::exception& e) { return fail(err, e); } catch (...) { return fail_unknown(err); }
    }
    static void fire(void* self, factory_worker* w, std::uint32_t reason, std::int64_t now) noexcept {
        T* me = enter(self, nullptr); // on_fire cannot refuse
        try {
            worker_t wk(w);
            me->on_fire(wk, static_cast<fire_reason>(reason), now);
        } catch (const std::exception& e) {
            try { me->host().log(log_level::error, std::string("on_fire threw: ") + e.what()); } catch (...) {}
        } catch (...) {
        }
    }
    static int upgrade(void* self, const void* old_state, void* fresh, factory_error* err) noexcept {
        if constexpr (requires { typename T::previous_state; }) {
            try {
                using previous = typename T::previous_state;
                // The host's bytes need not be aligned for `previous`: copy them into one that is.
                previous old;
                std::memcpy(&old, old_state, sizeof(previous));
                state* now = ::new (fresh) state{};
                enter(self, err)->on_upgrade(static_cast<const previous&>(old), *now);
                return FACTORY_OK;
            } catch (const std::exception& e) { return fail(err, e); } catch (...) { return fail_unknown(err); }
        } else {
            (void)self; (void)old_state; (void)fresh;
            copy_message(err, "this blueprint has no previous state to upgrade from");
            return FACTORY_ERROR;
        }
    }
    static void close(void* self) noexcept { delete static_cast<T*>(self); }
    static constexpr bool takes_raw() noexcept {
        if constexpr (requires { T::takes_raw; }) return T::takes_raw;
        else return false;
    }
};

// A layout as the ABI's factory_pclass (the name is unused there).
inline factory_pclass layout_of(const schema& s) noexcept {
    return factory_pclass{"state", s.record_size, static_cast<std::uint32_t>(s.fields.size()),
                          s.fields.empty() ? nullptr : s.fields.data()};
}

template <class T>
const factory_descriptor* blueprint_descriptor() noexcept {
    return build_descriptor<T, factory_blueprint_hooks>(FACTORY_KIND_BLUEPRINT, [](auto& s) {
        using tr = blueprint_trampolines<T>;
        using state = typename T::state_type;
        if constexpr (requires { T::pclasses; }) {
            for (const pclass_def& pc : T::pclasses)
                s.pclasses.push_back(factory_pclass{pc.name, pc.layout->record_size,
                                                   static_cast<std::uint32_t>(pc.layout->fields.size()),
                                                   pc.layout->fields.data()});
        }
        s.hooks.on_open = &tr::open;
        s.hooks.on_hire = &tr::hire;
        s.hooks.on_material = &tr::on_material;
        constexpr bool inspects =
            !std::is_same_v<decltype(&T::on_inspect), decltype(&factory::blueprint<state>::on_inspect)>;
        s.hooks.on_inspect = inspects ? &tr::inspect : nullptr;
        s.hooks.on_fire = &tr::fire;
        s.hooks.on_close = &tr::close;
        s.descriptor.state_size = std::is_empty_v<state> ? 0 : static_cast<std::uint32_t>(sizeof(state));
        s.descriptor.state_align = static_cast<std::uint32_t>(alignof(state));
        s.descriptor.pclass_count = static_cast<std::uint32_t>(s.pclasses.size());
        s.descriptor.pclasses = s.pclasses.empty() ? nullptr : s.pclasses.data();
        if constexpr (requires { T::state_layout; }) {
            static_assert(std::is_same_v<std::remove_cvref_t<decltype(T::state_layout)>, schema>,
                          "state_layout is a factory::schema: factory::make_schema<State>({FACTORY_FIELD(...)...})");
            s.state_layout = layout_of(T::state_layout);
            s.descriptor.state_layout = &s.state_layout;
        }
        constexpr bool previous = requires { typename T::previous_state; };
        constexpr bool previous_fields = requires { T::previous_state_layout; };
        constexpr bool upgrades = requires { &T::on_upgrade; };
        static_assert(previous == previous_fields && previous == upgrades,
                      "a blueprint that restores an older state declares all three: using previous_state = ...; "
                      "static inline const factory::schema previous_state_layout; and "
                      "void on_upgrade(const previous_state&, state_type&)");
        if constexpr (previous) {
            static_assert(std::is_trivially_copyable_v<typename T::previous_state>,
                          "previous_state must be trivially copyable, as the state is");
            s.state_previous = layout_of(T::previous_state_layout);
            s.descriptor.state_previous = &s.state_previous;
            s.hooks.on_upgrade = &tr::upgrade;
        }
        constexpr bool record = requires { typename T::material_record; };
        constexpr bool record_fields = requires { T::material_layout; };
        static_assert(record == record_fields,
                      "a blueprint that reads typed materials declares both: using material_record = ...; and "
                      "static inline const factory::schema material_layout = factory::make_schema<material_record>(...)");
        if constexpr (record) {
            static_assert(std::is_trivially_copyable_v<typename T::material_record> &&
                              alignof(typename T::material_record) <= 8,
                          "material_record must be trivially copyable and at most 8-byte aligned");
            s.material_layout = layout_of(T::material_layout);
            s.material_layout.name = "material";
            s.descriptor.material_layout = &s.material_layout;
            if (tr::takes_raw()) s.descriptor.material_flags |= FACTORY_MATERIAL_TAKES_RAW;
        }
        s.descriptor.blueprint = &s.hooks;
    });
}

} // namespace detail
} // namespace factory

#define FACTORY_BLUEPRINT(T) FACTORY_DEFINE_ENTRY_POINTS(::factory::detail::blueprint_descriptor, T)
