// The file exporters' buffered output: no product is left half-written when a write fails.
#include "common/file_output/output_file.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <string>

using factory::output::output_file;
using namespace factory::testing;

namespace {

// Limits the size of files this process may write, so that a write stops part-way (EFBIG), as a
// full disk would; SIGXFSZ is ignored meanwhile.
class file_size_limit {
public:
    explicit file_size_limit(rlim_t bytes) {
        REQUIRE(getrlimit(RLIMIT_FSIZE, &saved_) == 0);
        old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
        rlimit r = saved_;
        r.rlim_cur = bytes;
        REQUIRE(setrlimit(RLIMIT_FSIZE, &r) == 0);
    }
    ~file_size_limit() {
        setrlimit(RLIMIT_FSIZE, &saved_);
        std::signal(SIGXFSZ, old_handler_);
    }

private:
    rlimit saved_{};
    void (*old_handler_)(int) = nullptr;
};

// 39 bytes: {"n":007,"pad":"xxxxxxxxxxxxxxxxxxxx"}
std::string line(int i) {
    char n[8];
    std::snprintf(n, sizeof n, "%03d", i);
    return std::string("{\"n\":") + n + ",\"pad\":\"xxxxxxxxxxxxxxxxxxxx\"}\n";
}

bool add_batch(output_file& f, int first, int count, std::string& why) {
    std::size_t mark = f.buffer().size();
    for (int i = first; i < first + count; ++i) f.buffer() += line(i);
    return f.commit(mark, why);
}

} // namespace

TEST_CASE("a write stopped part-way is cut back to whole products, and the batch is refused") {
    temp_dir d;
    std::string path = d / "out.jsonl";
    std::string expect;
    {
        output_file f(path, 100, false);
        std::string why;
        file_size_limit limit(1000);
        int n = 0;
        bool refused = false;
        for (int batch = 0; batch < 50 && !refused; ++batch) {
            std::string before = f.buffer();
            if (add_batch(f, n, 3, why)) {
                n += 3;
            } else {
                refused = true;
                CHECK(f.buffer() == before); // the batch is gone from the buffer again
            }
        }
        REQUIRE(refused);
        CHECK_THAT(why, Catch::Contains("out.jsonl") && Catch::Contains("File too large"));
        std::string on_disk = read_file(path);
        // Batches of 3 lines of 39 bytes are written whole: after 8 (936 bytes) the kernel took
        // 64 bytes of the 9th before refusing; they were cut away again.
        CHECK(on_disk.size() == 936);
        CHECK(on_disk.back() == '\n');
        for (int i = 0; i < n; ++i) expect += line(i);
        // What is on disk is a whole-line prefix of everything taken; the rest waits in the buffer.
        CHECK(expect.compare(0, on_disk.size(), on_disk) == 0);
        CHECK(on_disk + f.buffer() == expect);
        CHECK(f.pending() == 0);
        // A batch that stays in the buffer is refused at flush while the limit lasts.
        std::string late = line(900) + line(901);
        f.buffer() += late;
        CHECK_FALSE(f.flush(why));
        CHECK(read_file(path).size() == 936);
        expect += late;
    }
    // The limit ended before the destructor, which wrote what was left.
    CHECK(read_file(path) == expect);
}

TEST_CASE("flush writes everything and an empty buffer flushes trivially") {
    temp_dir d;
    output_file f(d / "a", 1 << 20, true);
    std::string why;
    CHECK(f.untouched());
    CHECK(f.flush(why));
    CHECK(add_batch(f, 0, 2, why));
    CHECK_FALSE(f.untouched()); // buffered counts: a CSV header is not due twice
    CHECK(read_file(d / "a").empty());
    CHECK(f.flush(why));
    CHECK(read_file(d / "a") == line(0) + line(1));
    CHECK(f.pending() == 0);
    output_file again(d / "a", 1 << 20, false);
    CHECK_FALSE(again.untouched());
}

TEST_CASE("a file deleted while written: flush fails, lost() says so, what it held is dropped, reopen() makes it afresh") {
    temp_dir d;
    output_file f(d / "a", 1 << 20, false);
    std::string why;
    CHECK(add_batch(f, 0, 2, why));
    CHECK(f.flush(why));
    REQUIRE(std::remove((d / "a").c_str()) == 0);
    CHECK(add_batch(f, 2, 1, why));
    CHECK_FALSE(f.flush(why));
    CHECK(f.lost());
    CHECK(why == "'" + d / "a" + "' was deleted (or its folder was) while the run wrote it; what it took since the "
                                  "last flush is unreachable");
    CHECK(f.pending() == 0);
    CHECK(f.flush(why)); // nothing left to write
    CHECK(f.lost());     // until reopened
    REQUIRE(f.reopen(why));
    CHECK_FALSE(f.lost());
    CHECK(f.untouched());
    CHECK(add_batch(f, 3, 1, why));
    CHECK(f.flush(why));
    CHECK(read_file(d / "a") == line(3));
}
