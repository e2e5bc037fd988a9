// The fingerprint of a blueprint's worker state: what a checkpoint records beside the state bytes
// it keeps, so that a later run restores them only into a blueprint that reads them the same way.
//
// FNV-1a 64 over, in this order: state_size and state_align (each as 4 little-endian bytes), then,
// when the descriptor has a state_layout, each of its fields in declared order: the name's bytes
// and a 0 byte, then type, offset and size (4 little-endian bytes each). Without a layout it covers
// state_size and state_align only. The layout's record_size and name are not hashed (record_size
// equals state_size, which is; the name is unused). Nothing else of the plugin counts: not its
// name, version or settings, and comments do not exist at run time, so renaming a field, moving it
// or changing its type changes the fingerprint; rebuilding the same code does not.
#pragma once

#include <factory/abi.h>

#include <cstdint>

namespace factory::plugins {

// The fingerprint of the state `d` declares (a blueprint's descriptor; 0 size and align for others).
std::uint64_t state_fingerprint(const factory_descriptor& d);

// The fingerprint of the older state `d` can upgrade from (state_previous), hashed as above with
// its record_size as the size and, as the align, the largest natural alignment of its fields (the
// ABI does not carry the older state's align: this is alignof of a plain struct of those fields,
// so it equals the older build's state_fingerprint unless that state was declared alignas(N)).
// 0 when it declares none.
std::uint64_t previous_state_fingerprint(const factory_descriptor& d);

} // namespace factory::plugins
