// The WindFlow Source: makes `count` synthetic flow records and pushes each on its own, as a
// WindFlow source does (the runtime stamps each with the ingress time and batches them when the
// operator is built with an output batch size).
#pragma once

#include "flow_tuple.hpp"

#include <source_shipper.hpp>

#include <cstdint>

namespace factory::bench::windflow {

class flow_source {
public:
    flow_source(std::uint64_t keys, std::uint64_t count) noexcept : keys_(keys), count_(count) {}

    void operator()(wf::Source_Shipper<flow_tuple>& shipper) {
        // A local generator keeps its state in registers across the push calls.
        synthetic::flow_generator generator = make_generator(keys_);
        flow_tuple t;
        for (std::uint64_t i = 0; i < count_; ++i) {
            t.pid = generator.next(t.flow);
            shipper.push(t);
        }
    }

private:
    std::uint64_t keys_;
    std::uint64_t count_;
};

} // namespace factory::bench::windflow
