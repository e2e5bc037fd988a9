// Writing a source: a class that fills batches of materials until its input ends.
//
//   class counter_source : public factory::source {
//   public:
//       static constexpr factory::info info{"count", "1.0.0", "the numbers 1..n as materials"};
//       static inline const factory::setting settings[] = {
//           {"n", FACTORY_SETTING_UINT, "100", "how many"}};
//       counter_source(const factory::settings& s, factory::host h) : source(h), n_(s.uinteger("n")) {}
//       factory::fill_result on_fill(factory::filler& f) {
//           while (i_ < n_ && f.room() > 0) {
//               auto* v = f.add<std::uint64_t>(i_, 0, FACTORY_FORMAT_BYTES);
//               if (v == nullptr) break;   // stopping
//               *v = i_++;
//           }
//           return i_ == n_ ? factory::fill_result::end : factory::fill_result::more;
//       }
//   private:
//       std::uint64_t n_, i_ = 0;
//   };
//   FACTORY_SOURCE(counter_source)
//
// on_fill() is the one hook (the host calls it; named as the ABI's on_fill). Declaring a setting with
// flags = FACTORY_SETTING_EVENT_TIME tells the host that materials carry event time whenever that
// setting is non-empty, so a run without --clock uses the material clock.
// Throwing from on_fill() ends the run with the exception's message (input failure). A bad record
// is not an exception: pass it to filler::reject() and go on.
//
// Typed materials: a source that can decode its records into the blueprint's material layout
// declares `static constexpr bool fills_records = true;`. Then host().material_layout() is the
// layout when the run's blueprint declared one (nullptr otherwise), and each record goes in as
// f.add(pid, time_ns, FACTORY_FORMAT_RECORD, layout->record_size), laid out by it.
//
// Checkpoints (--checkpoint): a source that can be resumed defines both of
//       std::size_t on_position(std::span<std::byte> out);      // between two on_fill() calls
//       void on_seek(std::span<const std::byte> position);       // after open, before on_fill()
// on_position() writes where the input stands, just after the last material added, into `out`
// (at most FACTORY_POSITION_MAX bytes) and returns how many bytes it wrote; on_seek() gets those
// bytes back in a new instance opened with the same settings and continues from there: what it
// adds then must be exactly what the first instance would have added next. Both throw
// factory::error to refuse: on_position() when this input cannot be read again (stdin, a live
// capture: the host then refuses --checkpoint with that message), on_seek() when the position does
// not fit the input (another file). position_writer and position_reader below put and take
// trivially copyable values. A class with only one of the two does not compile (the host would
// refuse such a descriptor).
//
//       std::size_t on_position(std::span<std::byte> out) {
//           factory::position_writer w(out);
//           w.put(i_);
//           return w.size();
//       }
//       void on_seek(std::span<const std::byte> pos) {
//           factory::position_reader r(pos);
//           i_ = r.get<std::uint64_t>();
//           r.finish();
//       }
//
// A resumable source may also define
//       void on_checkpoint_done(std::uint64_t epoch, std::span<const std::byte> position,
//                               factory::worker_walk& workers);
// called between two on_fill() calls once checkpoint `epoch` is complete (exported, committed,
// durable), with the position on_position() gave for it and a walk over every worker it holds
// (ABI: on_checkpoint_done). A source that commits its input somewhere (Kafka offsets) does it
// there. Throwing factory::error is logged as a warning; the run goes on.
#pragma once

#include <factory/plugin.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <span>
#include <type_traits>
#include <vector>

namespace factory {

enum class fill_result : int { more = FACTORY_OK, end = FACTORY_END };

// The room for materials in one fill() call. Valid during that call only.
class filler {
public:
    explicit filler(factory_fill* raw) noexcept : raw_(raw) {}

    std::uint32_t room() const noexcept { return raw_->room; }
    std::uint32_t max_size() const noexcept { return raw_->max_size; }

    // Space for `size` payload bytes of a new material, or nullptr: stop filling and return.
    void* add(std::uint64_t pid, std::int64_t time_ns, std::uint16_t format, std::uint32_t size) noexcept {
        return raw_->host_add(raw_->self, pid, time_ns, format, size);
    }
    template <class T>
    T* add(std::uint64_t pid, std::int64_t time_ns, std::uint16_t format) noexcept {
        static_assert(std::is_trivially_copyable_v<T> && alignof(T) <= 8);
        return static_cast<T*>(add(pid, time_ns, format, sizeof(T)));
    }
    // A record that cannot become a material: counted and dead-lettered with `reason`.
    void reject(std::string_view reason, const void* data, std::size_t size) noexcept {
        char buf[256];
        std::size_t n = reason.size() < sizeof(buf) - 1 ? reason.size() : sizeof(buf) - 1;
        std::memcpy(buf, reason.data(), n);
        buf[n] = '\0';
        raw_->host_reject(raw_->self, buf, data, static_cast<std::uint32_t>(size));
    }

private:
    factory_fill* raw_;
};

// Writes a source's position: values put one after another, as their bytes. put() throws
// factory::error when the position would not fit.
class position_writer {
public:
    explicit position_writer(std::span<std::byte> out) noexcept : out_(out) {}
    void put_bytes(const void* data, std::size_t n) {
        if (n > out_.size() - used_)
            throw factory::error("source position needs more than " + std::to_string(out_.size()) + " bytes");
        if (n > 0) std::memcpy(out_.data() + used_, data, n);
        used_ += n;
    }
    template <class T>
    void put(const T& value) {
        static_assert(std::is_trivially_copyable_v<T>);
        put_bytes(&value, sizeof(T));
    }
    std::size_t size() const noexcept { return used_; }

private:
    std::span<std::byte> out_;
    std::size_t used_ = 0;
};

// Reads back what a position_writer wrote, in the same order. get() throws factory::error when the
// position is shorter than asked, finish() when bytes are left over: either way it was not written
// by this source (or by this version of it).
class position_reader {
public:
    explicit position_reader(std::span<const std::byte> in) noexcept : in_(in) {}
    void get_bytes(void* data, std::size_t n) {
        if (n > in_.size() - used_)
            throw factory::error("source position is too short (" + std::to_string(in_.size()) +
                                 " bytes): it was not written by this source");
        if (n > 0) std::memcpy(data, in_.data() + used_, n);
        used_ += n;
    }
    template <class T>
    T get() {
        static_assert(std::is_trivially_copyable_v<T>);
        T value;
        get_bytes(&value, sizeof(T));
        return value;
    }
    std::size_t left() const noexcept { return in_.size() - used_; }
    void finish() const {
        if (left() != 0)
            throw factory::error("source position has " + std::to_string(left()) +
                                 " bytes more than this source writes: it was not written by this source");
    }

private:
    std::span<const std::byte> in_;
    std::size_t used_ = 0;
};

// The workers of a completed checkpoint, one at a time (on_checkpoint_done). next() fills `out`
// (its state pointer valid until the next call) and returns true, or false after the last one;
// throws factory::error when the checkpoint's files cannot be read.
class worker_walk {
public:
    explicit worker_walk(const factory_state_walk* raw) noexcept : raw_(raw) {}
    bool next(factory_worker_image& out) {
        if (raw_ == nullptr) return false;
        factory_error err{};
        const int rc = raw_->host_next_worker(raw_->self, &out, &err);
        if (rc == FACTORY_OK) return true;
        if (rc == FACTORY_END) return false;
        throw factory::error(err.message[0] != '\0' ? err.message : "the checkpoint's workers cannot be read");
    }

private:
    const factory_state_walk* raw_;
};

class source {
public:
    explicit source(factory::host h) noexcept : host_(h) {}
    const factory::host& host() const noexcept { return host_; }

private:
    factory::host host_;
};

namespace detail {

template <class T>
concept resumable_source = requires(T& t, std::span<std::byte> out, std::span<const std::byte> in) {
    { t.on_position(out) } -> std::convertible_to<std::size_t>;
    t.on_seek(in);
};

template <class T>
concept has_position_or_seek = requires(T& t) { &T::on_position; } || requires(T& t) { &T::on_seek; };

template <class T>
concept checkpoint_aware_source =
    requires(T& t, std::uint64_t epoch, std::span<const std::byte> pos, worker_walk& w) {
        t.on_checkpoint_done(epoch, pos, w);
    };

template <class T>
struct source_trampolines {
    static int open(const factory_host* h, const factory_settings* s, void** instance,
                    factory_error* err) noexcept {
        try {
            *instance = new T(factory::settings(s), factory::host(h));
            return FACTORY_OK;
        } catch (const std::exception& e) { return fail(err, e); } catch (...) { return fail_unknown(err); }
    }
    static int fill(void* self, factory_fill* f, factory_error* err) noexcept {
        try {
            filler fl(f);
            return static_cast<int>(static_cast<T*>(self)->on_fill(fl));
        } catch (const std::exception& e) { return fail(err, e); } catch (...) { return fail_unknown(err); }
    }
    static int position(void* self, void* buf, std::uint32_t room, std::uint32_t* size,
                        factory_error* err) noexcept {
        try {
            const std::size_t n = static_cast<T*>(self)->on_position(
                std::span<std::byte>(static_cast<std::byte*>(buf), room));
            if (n > room) throw factory::error("source position of " + std::to_string(n) +
                                               " bytes does not fit in " + std::to_string(room));
            *size = static_cast<std::uint32_t>(n);
            return FACTORY_OK;
        } catch (const std::exception& e) { return fail(err, e); } catch (...) { return fail_unknown(err); }
    }
    static int seek(void* self, const void* pos, std::uint32_t size, factory_error* err) noexcept {
        try {
            static_cast<T*>(self)->on_seek(std::span<const std::byte>(static_cast<const std::byte*>(pos), size));
            return FACTORY_OK;
        } catch (const std::exception& e) { return fail(err, e); } catch (...) { return fail_unknown(err); }
    }
    static int checkpoint_done(void* self, std::uint64_t epoch, const void* pos, std::uint32_t size,
                               const factory_state_walk* workers, factory_error* err) noexcept {
        if constexpr (checkpoint_aware_source<T>) {
            try {
                worker_walk walk(workers);
                static_cast<T*>(self)->on_checkpoint_done(
                    epoch, std::span<const std::byte>(static_cast<const std::byte*>(pos), size), walk);
                return FACTORY_OK;
            } catch (const std::exception& e) { return fail(err, e); } catch (...) { return fail_unknown(err); }
        } else {
            (void)self, (void)epoch, (void)pos, (void)size, (void)workers, (void)err;
            return FACTORY_OK;
        }
    }
    static void close(void* self) noexcept { delete static_cast<T*>(self); }
};

template <class T>
const factory_descriptor* source_descriptor() noexcept {
    return build_descriptor<T, factory_source_hooks>(FACTORY_KIND_SOURCE, [](auto& s) {
        using tr = source_trampolines<T>;
        s.hooks.on_open = &tr::open;
        s.hooks.on_fill = &tr::fill;
        s.hooks.on_close = &tr::close;
        static_assert(resumable_source<T> || !has_position_or_seek<T>,
                      "a resumable source defines both std::size_t on_position(std::span<std::byte>) and "
                      "void on_seek(std::span<const std::byte>)");
        if constexpr (requires { T::fills_records; }) {
            if (T::fills_records) s.descriptor.material_flags |= FACTORY_MATERIAL_FILLS_RECORDS;
        }
        if constexpr (resumable_source<T>) {
            s.hooks.on_position = &tr::position;
            s.hooks.on_seek = &tr::seek;
            if constexpr (checkpoint_aware_source<T>) s.hooks.on_checkpoint_done = &tr::checkpoint_done;
        }
        // static constexpr std::uint32_t traits = FACTORY_SOURCE_KEEPS_STATE; (abi.h)
        if constexpr (requires { T::traits; }) s.hooks.traits = T::traits;
        s.descriptor.source = &s.hooks;
    });
}

} // namespace detail
} // namespace factory

#define FACTORY_SOURCE(T) FACTORY_DEFINE_ENTRY_POINTS(::factory::detail::source_descriptor, T)
