// Checks a plugin's descriptor before the host relies on any of it. The descriptor is data written
// by someone else's code: every pointer may be NULL and every count may be wrong, so nothing here
// dereferences a pointer it has not checked first.
#pragma once

#include <factory/abi.h>

#include <string>
#include <string_view>

namespace factory::plugins {

// True when `text` is a non-empty [a-z0-9_]+ word (plugin, setting, pclass and field names).
bool is_plain_name(std::string_view text) noexcept;

// What is wrong with `d`, as one short clause ("setting 'keys': default '-1' is not a non-negative
// integer"), or an empty string when it is well-formed: a known kind whose hooks table is present,
// of the right size and with its required hooks; plain names; settings of known types with unique
// keys, choices for enums and defaults of the right form; for a blueprint, state_align a power of
// two at most 16 and product classes with unique names whose fields fit in the record, match their
// types in size and have unique names; its state_layout (when set) with record_size equal to
// state_size and fields checked as a pclass's, state_previous (fields checked likewise) set exactly
// when on_upgrade is; for a source, on_position and on_seek both set or both NULL; for the other
// kinds, state_layout and state_previous NULL; a blueprint's material_layout (when set) with
// fields checked as a pclass's, at least one, none overlapping another; material_flags only the
// kind's own bit (TAKES_RAW for a blueprint with a layout, FILLS_RECORDS for a source);
// reserved2 zero. Assumes abi_version and struct_size were already
// checked.
std::string descriptor_problem(const factory_descriptor& d);

} // namespace factory::plugins
