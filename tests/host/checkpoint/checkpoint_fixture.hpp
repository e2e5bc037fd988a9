// Checkpoints made through the library, as the runtime makes them, for the store, listing and
// command tests: per workshop a snapshot with `workers[i]` workers, a purchasing snapshot, and
// the MANIFEST published through store::publish.
#pragma once

#include "checkpoint/manifest.hpp"
#include "checkpoint/paths.hpp"
#include "checkpoint/snapshot.hpp"
#include "checkpoint/store.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace factory::testing {

inline checkpoint::blueprint_identity sample_blueprint() {
    return {"widget", "1.2.0", 16, 8, 0x1234abcd5678ef00ULL};
}

inline checkpoint::manifest write_checkpoint(checkpoint::store& s, std::uint64_t epoch,
                                             const std::vector<std::uint64_t>& workers, std::uint32_t keep = 10,
                                             std::uint64_t purchased = 0) {
    namespace cp = checkpoint;
    cp::manifest m;
    m.epoch = epoch;
    m.created_unix_ns = 1'764'000'000'000'000'000LL + static_cast<std::int64_t>(epoch) * 60'000'000'000LL;
    m.workshops = static_cast<std::uint32_t>(workers.size());
    m.source_name = "jsonl";
    m.source_settings = "path=in.jsonl";
    m.position_text = "00000000000000" + std::to_string(epoch) + "0000000000000000ff";
    m.purchased = purchased;
    m.blueprint = sample_blueprint();
    m.exporters = {"jsonl"};
    const auto dir = s.dir_for(epoch);
    {
        cp::snapshot_writer w(dir / "purchasing.snap", cp::part::purchasing, 0, epoch, m.blueprint);
        const std::string blob = "position-" + std::to_string(epoch);
        w.set_blob(blob.data(), blob.size());
        const auto r = w.finish();
        m.files.push_back({"purchasing.snap", r.bytes, r.checksum, r.workers});
    }
    for (std::uint32_t i = 0; i < workers.size(); ++i) {
        const std::string name = factory::workshop_snapshot_name(i);
        cp::snapshot_writer w(dir / name, cp::part::workshop, i, epoch, m.blueprint);
        unsigned char state[16] = {};
        for (std::uint64_t k = 0; k < workers[i]; ++k) {
            state[0] = static_cast<unsigned char>(k);
            w.add_worker(k * 10 + i, 100, 200, 3, state);
        }
        const auto r = w.finish();
        m.files.push_back({name, r.bytes, r.checksum, r.workers});
    }
    s.publish(m, keep);
    return m;
}

} // namespace factory::testing
