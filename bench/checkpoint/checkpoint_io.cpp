// bench_checkpoint_io [FOLDER] [WORKERS] [STATE_BYTES]: writes one workshop snapshot of WORKERS
// workers (default 1,000,000) of STATE_BYTES state (default 32) into FOLDER (default: a fresh one
// under the temporary folder, removed afterwards), then reads it back (read + verify, then every
// worker), and the checksum alone over as many bytes in memory, and prints the time of each step. The write includes its fdatasync, so the figure
// depends on the disk under FOLDER.
#include "checkpoint/checksum.hpp"
#include "checkpoint/snapshot.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <unistd.h>

namespace fs = std::filesystem;
namespace cp = factory::checkpoint;

namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

} // namespace

int main(int argc, char** argv) {
    const bool own = argc < 2;
    const fs::path dir = own ? fs::temp_directory_path() / ("factory-bench-ck-" + std::to_string(::getpid())) : fs::path(argv[1]);
    const std::uint64_t workers = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1'000'000;
    const auto state_bytes = static_cast<std::uint32_t>(argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 32);
    fs::create_directories(dir);
    const fs::path file = dir / "workshop-0.snap";
    const cp::blueprint_identity bp{"bench", "1", state_bytes, 8, 1};
    std::vector<unsigned char> state(state_bytes, 0xab);

    try {
        auto t0 = std::chrono::steady_clock::now();
        cp::snapshot_writer w(file, cp::part::workshop, 0, 1, bp);
        for (std::uint64_t i = 0; i < workers; ++i) {
            state[0] = static_cast<unsigned char>(i);
            w.add_worker(i, static_cast<std::int64_t>(i), static_cast<std::int64_t>(i) + 1, 1, state.data());
        }
        const double add_ms = ms_since(t0);
        const auto r = w.finish();
        const double write_ms = ms_since(t0);

        t0 = std::chrono::steady_clock::now();
        const cp::snapshot_reader reader(file);
        const double read_ms = ms_since(t0);
        std::uint64_t sum = 0;
        reader.each_worker([&](const cp::worker_record& rec, const void* s) {
            sum += rec.pid + *static_cast<const unsigned char*>(s);
        });
        const double all_ms = ms_since(t0);

        std::vector<unsigned char> bytes(r.bytes, 0x5c);
        t0 = std::chrono::steady_clock::now();
        const std::uint64_t h = cp::checksum(bytes.data(), bytes.size());
        const double hash_ms = ms_since(t0);

        const double mib = static_cast<double>(r.bytes) / (1024.0 * 1024.0);
        std::printf("%llu workers, %u-byte state: file %.1f MiB\n", static_cast<unsigned long long>(r.workers),
                    state_bytes, mib);
        std::printf("write: %.1f ms (add_worker %.1f ms, finish with fdatasync %.1f ms), %.0f MiB/s\n", write_ms,
                    add_ms, write_ms - add_ms, mib / (write_ms / 1000));
        std::printf("read back: %.1f ms (read + verify %.1f ms, each_worker %.1f ms), %.0f MiB/s  [check %llu]\n",
                    all_ms, read_ms, all_ms - read_ms, mib / (all_ms / 1000), static_cast<unsigned long long>(sum));
        std::printf("checksum alone, in memory: %.1f ms, %.0f MiB/s  [%016llx]\n", hash_ms, mib / (hash_ms / 1000),
                    static_cast<unsigned long long>(h));
    } catch (const cp::checkpoint_error& e) {
        std::fprintf(stderr, "bench_checkpoint_io: %s\n", e.what());
        return 1;
    }
    if (own) fs::remove_all(dir);
    return 0;
}
