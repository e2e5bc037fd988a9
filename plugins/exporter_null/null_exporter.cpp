#include "null_exporter.hpp"

#include <string>

namespace factory::output {

null_exporter::~null_exporter() {
    try {
        host().log(factory::log_level::info, "exporter null: discarded " + std::to_string(products_) +
                                                 " products in " + std::to_string(batches_) + " batches");
    } catch (...) {
        // Logging is best effort; a destructor must not throw.
    }
}

} // namespace factory::output
