// The warehouse: where the stevedore stores products by pclass until the driver's next round.
// One bay per pclass, each a byte arena that keeps its capacity between rounds, so steady state
// allocates nothing. Used by the transportation process's one thread.
#pragma once

#include <factory/abi.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace factory::transportation {

class warehouse {
public:
    explicit warehouse(std::uint32_t pclasses) : bays_(pclasses) {}

    // Copies a product (header and record) into its pclass's bay. The pclass was checked when the
    // product was shipped.
    void store(const factory_product& p);

    // The products of one bay, in arrival order; valid until the bay is next stored into or cleared.
    const std::vector<const factory_product*>& shelf(std::uint32_t pclass);
    void clear(std::uint32_t pclass) noexcept;

    std::uint32_t bays() const noexcept { return static_cast<std::uint32_t>(bays_.size()); }
    std::size_t products() const noexcept { return products_; }
    std::size_t bytes() const noexcept { return bytes_; }

private:
    struct bay {
        std::vector<std::uint64_t> arena; // 8-byte words: every product starts aligned
        std::size_t used_words = 0;
        std::size_t count = 0;
        std::vector<const factory_product*> index;
    };
    std::vector<bay> bays_;
    std::size_t products_ = 0;
    std::size_t bytes_ = 0;
};

} // namespace factory::transportation
