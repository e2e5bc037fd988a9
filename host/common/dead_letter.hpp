// The dead-letter output: every record the factory could not process, with its reason, as one
// JSON object per line in <dir>/<stage>.jsonl (owner-only: folder 0700, files 0600). Each process
// writes its own file, so no locking is needed; a restarted process appends to the same file.
// Nothing is opened until the first dead letter, so a clean run leaves no files behind.
//
// Dead letters are the error path, not the data path: each line is formatted into a reused buffer
// and written with one write(2) on an O_APPEND descriptor, so a dead letter survives the crash of
// its process the instant it is counted (a workshop may die in a blueprint at any moment).
//
// A dead letter that could not be written (no folder, a full disk) is not a dead letter: every
// call says whether its line reached the file, the caller counts a false as lost (the accounting
// shows it, and the run is not clean), and the first failure is logged. A short write is cut back
// off the file, so a full disk never leaves a torn line for the next one to be glued to.
#pragma once

#include <factory/abi.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include <sys/types.h>

namespace factory {

class dead_letter_writer {
public:
    // `stage` names the writer in every line ("workshop 2") and, with spaces as '-', the file.
    dead_letter_writer(std::filesystem::path dir, std::string stage);
    ~dead_letter_writer();
    dead_letter_writer(const dead_letter_writer&) = delete;
    dead_letter_writer& operator=(const dead_letter_writer&) = delete;

    // Each returns true when the line is in the file, false when it could not be written.
    // A record a source could not turn into a material.
    bool rejected(std::string_view reason, const void* data, std::size_t size);
    // A material the workshop could not assemble.
    bool material(std::string_view reason, const factory_material& m);
    // A product that could not be shipped or exported.
    bool product(std::string_view reason, std::string_view exporter, const factory_pclass* pclass,
                 const factory_product& p);

    std::uint64_t written() const noexcept { return written_; }
    std::uint64_t failures() const noexcept { return failures_; }
    std::filesystem::path file() const;

private:
    void begin(std::string_view reason);
    bool finish();
    bool open();
    void report_failure(const std::string& why);

    std::filesystem::path dir_;
    std::string stage_;
    std::string line_;
    int fd_ = -1;
    bool open_failed_ = false;
    off_t size_ = 0; // the file's length after the last whole line this process wrote
    std::uint64_t written_ = 0;
    std::uint64_t failures_ = 0;
};

} // namespace factory
