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
#pragma once

#include <factory/plugin.hpp>

#include <cstdio>
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

class source {
public:
    explicit source(factory::host h) noexcept : host_(h) {}
    const factory::host& host() const noexcept { return host_; }

private:
    factory::host host_;
};

namespace detail {

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
    static void close(void* self) noexcept { delete static_cast<T*>(self); }
};

template <class T>
const factory_descriptor* source_descriptor() noexcept {
    return build_descriptor<T, factory_source_hooks>(FACTORY_KIND_SOURCE, [](auto& s) {
        using tr = source_trampolines<T>;
        s.hooks.on_open = &tr::open;
        s.hooks.on_fill = &tr::fill;
        s.hooks.on_close = &tr::close;
        s.descriptor.source = &s.hooks;
    });
}

} // namespace detail
} // namespace factory

#define FACTORY_SOURCE(T) FACTORY_DEFINE_ENTRY_POINTS(::factory::detail::source_descriptor, T)
