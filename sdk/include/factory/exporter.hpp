// Writing an exporter: a class that takes batches of products of one pclass at a time.
//
//   class printer : public factory::exporter {
//   public:
//       static constexpr factory::info info{"printer", "1.0.0", "prints product counts"};
//       printer(const factory::settings&, factory::host h, const factory::export_info&) : exporter(h) {}
//       factory::export_result on_export(const factory::batch& b) {
//           std::printf("%s: %u\n", b.schema().name, b.size());
//           return factory::export_result::ok();
//       }
//   };
//   FACTORY_EXPORTER(printer)
//
// on_export() answers ok (all taken), retry (nothing taken: call again later with the same
// batch) or error (nothing taken: dead-letter the batch). on_flush() is optional and answers the
// same. The hooks are named as the ABI's (on_export, on_flush). Throwing from on_export() counts
// as error with the exception's message.
//
// An exporter that makes products durable as it takes them (a database transaction) may also
// define `std::uint64_t durable_count()`: how many products it has made durable in this run
// (run_id()), over every transportation process of the run. A transportation process that
// replaces one that died asks it at open, so that products the dead one committed are counted
// exported, not lost (the on_durable hook of <factory/abi.h>).
//
// Checkpoints (--checkpoint): an exporter that can take back what it wrote defines
//       void on_commit(std::uint64_t epoch);
// called after a successful on_flush(): everything exported so far is epoch `epoch` (from 1,
// increasing). Keep what is needed to return to each of the last 8 epochs committed; throw
// factory::error when that cannot be recorded (the checkpoint fails, the run goes on). The
// constructor's export_info says how the run uses it: checkpoints() (on_commit will be called),
// resuming() and resume_epoch(): the run continues from that epoch, so before the constructor
// returns, undo everything written after on_commit(resume_epoch()) (an output found in place is
// then this job's, not a conflict). checkpoints() without resuming() starts a job: what the
// outputs hold then is epoch 0. Without on_commit, an exporter is at least once under
// --checkpoint: what it exported after the last checkpoint is exported again after a crash.
//
//       printer(const factory::settings&, factory::host h, const factory::export_info& i) : exporter(h) {
//           if (i.resuming()) truncate_to(lengths_at(i.resume_epoch()));
//           else if (i.checkpoints()) record(0);
//       }
//       void on_commit(std::uint64_t epoch) { record(epoch); }
#pragma once

#include <factory/plugin.hpp>

#include <concepts>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

namespace factory {

class export_result {
public:
    static export_result ok() { return export_result(FACTORY_OK, {}); }
    static export_result retry(std::string why) { return export_result(FACTORY_RETRY, std::move(why)); }
    static export_result error(std::string why) { return export_result(FACTORY_ERROR, std::move(why)); }
    int code() const noexcept { return code_; }
    const std::string& message() const noexcept { return message_; }

private:
    export_result(int code, std::string message) : code_(code), message_(std::move(message)) {}
    int code_;
    std::string message_;
};

// The blueprint's product classes, as given at open, and how the run uses checkpoints.
class export_info {
public:
    explicit export_info(const factory_export_info* raw) noexcept : raw_(raw) {}
    // The run takes checkpoints: on_commit() will be called.
    bool checkpoints() const noexcept { return (raw_->flags & FACTORY_EXPORT_CHECKPOINTS) != 0; }
    // The run resumes from resume_epoch(): undo what was written after that epoch's on_commit().
    bool resuming() const noexcept { return (raw_->flags & FACTORY_EXPORT_RESUME) != 0; }
    std::uint64_t resume_epoch() const noexcept { return resuming() ? raw_->resume_epoch : 0; }
    std::uint32_t size() const noexcept { return raw_->pclass_count; }
    const factory_pclass& operator[](std::uint32_t i) const noexcept { return raw_->pclasses[i]; }
    const factory_pclass* begin() const noexcept { return raw_->pclasses; }
    const factory_pclass* end() const noexcept { return raw_->pclasses + raw_->pclass_count; }

private:
    const factory_export_info* raw_;
};

// A batch of products of one pclass; valid during on_export() only.
class batch {
public:
    explicit batch(const factory_batch* raw) noexcept : raw_(raw) {}
    std::uint32_t pclass() const noexcept { return raw_->pclass; }
    const factory_pclass& schema() const noexcept { return *raw_->schema; }
    std::uint32_t size() const noexcept { return raw_->count; }
    const factory_product& operator[](std::uint32_t i) const noexcept { return *raw_->products[i]; }
    const factory_product* const* begin() const noexcept { return raw_->products; }
    const factory_product* const* end() const noexcept { return raw_->products + raw_->count; }

private:
    const factory_batch* raw_;
};

// ok() when every product of `b` holds a whole record of its pclass; otherwise error() naming the
// first that does not. The host ships whole records only; an exporter calls this once before it
// reads fields, and refuses such a batch whole.
inline export_result check_record_sizes(const batch& b) {
    for (const factory_product* p : b)
        if (p->size < b.schema().record_size)
            return export_result::error("product of " + std::to_string(p->size) + " bytes in pclass '" +
                                        b.schema().name + "', whose records have " +
                                        std::to_string(b.schema().record_size));
    return export_result::ok();
}

class exporter {
public:
    explicit exporter(factory::host h) noexcept : host_(h) {}
    const factory::host& host() const noexcept { return host_; }
    export_result on_flush() { return export_result::ok(); }

private:
    factory::host host_;
};

// The run's name (FACTORY_RUN_ENV in the environment): unique per run, the same in every process
// of it; empty outside factory-host (a test driving the hooks itself).
inline std::string run_id() {
    const char* v = std::getenv(FACTORY_RUN_ENV);
    return v != nullptr ? v : "";
}

namespace detail {

template <class T>
concept keeps_durable_count = requires(T& t) {
    { t.durable_count() } -> std::convertible_to<std::uint64_t>;
};

template <class T>
concept commits_epochs = requires(T& t, std::uint64_t epoch) { t.on_commit(epoch); };

inline int answer(const export_result& r, factory_error* err) noexcept {
    if (r.code() != FACTORY_OK) copy_message(err, r.message());
    return r.code();
}

template <class T>
struct exporter_trampolines {
    static int open(const factory_host* h, const factory_settings* s, const factory_export_info* i,
                    void** instance, factory_error* err) noexcept {
        try {
            *instance = new T(factory::settings(s), factory::host(h), export_info(i));
            return FACTORY_OK;
        } catch (const std::exception& e) { return fail(err, e); } catch (...) { return fail_unknown(err); }
    }
    static int export_batch(void* self, const factory_batch* b, factory_error* err) noexcept {
        try {
            return answer(static_cast<T*>(self)->on_export(batch(b)), err);
        } catch (const std::exception& e) { return fail(err, e); } catch (...) { return fail_unknown(err); }
    }
    static int flush(void* self, factory_error* err) noexcept {
        try {
            return answer(static_cast<T*>(self)->on_flush(), err);
        } catch (const std::exception& e) { return fail(err, e); } catch (...) { return fail_unknown(err); }
    }
    static int durable(void* self, std::uint64_t* count, factory_error* err) noexcept {
        try {
            *count = static_cast<T*>(self)->durable_count();
            return FACTORY_OK;
        } catch (const std::exception& e) { return fail(err, e); } catch (...) { return fail_unknown(err); }
    }
    static int commit(void* self, std::uint64_t epoch, factory_error* err) noexcept {
        try {
            static_cast<T*>(self)->on_commit(epoch);
            return FACTORY_OK;
        } catch (const std::exception& e) { return fail(err, e); } catch (...) { return fail_unknown(err); }
    }
    static void close(void* self) noexcept { delete static_cast<T*>(self); }
};

template <class T>
const factory_descriptor* exporter_descriptor() noexcept {
    return build_descriptor<T, factory_exporter_hooks>(FACTORY_KIND_EXPORTER, [](auto& s) {
        using tr = exporter_trampolines<T>;
        s.hooks.on_open = &tr::open;
        s.hooks.on_export = &tr::export_batch;
        s.hooks.on_flush = &tr::flush;
        s.hooks.on_close = &tr::close;
        if constexpr (keeps_durable_count<T>) s.hooks.on_durable = &tr::durable;
        if constexpr (commits_epochs<T>) s.hooks.on_commit = &tr::commit;
        s.descriptor.exporter = &s.hooks;
    });
}

} // namespace detail
} // namespace factory

#define FACTORY_EXPORTER(T) FACTORY_DEFINE_ENTRY_POINTS(::factory::detail::exporter_descriptor, T)
