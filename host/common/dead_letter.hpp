// The dead-letter output: every record the factory could not process, with its reason, as one
// JSON object per line in <dir>/<stage>.jsonl (owner-only: folder 0700, files 0600). Each process
// writes its own file, so no locking is needed; a restarted process appends to the same file.
// Nothing is opened until the first dead letter, so a clean run leaves no files behind.
//
// Dead letters are the error path, not the data path: each line is formatted into a reused buffer
// and written with one write(2) on an O_APPEND descriptor, so a dead letter survives the crash of
// its process the instant it is counted (a workshop may die in a blueprint at any moment). A
// failure to write one is counted (failures()) and logged once; the run is then not clean.
#pragma once

#include <factory/abi.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace factory {

class dead_letter_writer {
public:
    // `stage` names the writer in every line ("workshop 2") and, with spaces as '-', the file.
    dead_letter_writer(std::filesystem::path dir, std::string stage);
    ~dead_letter_writer();
    dead_letter_writer(const dead_letter_writer&) = delete;
    dead_letter_writer& operator=(const dead_letter_writer&) = delete;

    // A record a source could not turn into a material.
    void rejected(std::string_view reason, const void* data, std::size_t size);
    // A material the workshop could not assemble.
    void material(std::string_view reason, const factory_material& m);
    // A product that could not be shipped or exported.
    void product(std::string_view reason, std::string_view exporter, const factory_pclass* pclass,
                 const factory_product& p);

    std::uint64_t written() const noexcept { return written_; }
    std::uint64_t failures() const noexcept { return failures_; }
    std::filesystem::path file() const;

private:
    void begin(std::string_view reason);
    void finish();
    bool open();

    std::filesystem::path dir_;
    std::string stage_;
    std::string line_;
    int fd_ = -1;
    bool open_failed_ = false;
    std::uint64_t written_ = 0;
    std::uint64_t failures_ = 0;
};

} // namespace factory
