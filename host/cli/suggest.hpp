// "Did you mean ...?" for a mistyped name (an option, a setting, a plugin): the closest of the
// names that exist, when it is close enough to be the one meant.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace factory::cli {

// Edits (insert, delete, replace, swap two neighbours) that turn `a` into `b`.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `typed`, or empty when none is close: at most 1 edit for names of up
// to 4 characters, 2 up to 8, 3 beyond; a candidate that starts with `typed` (or `typed` with it)
// counts as close too. Ties go to the first candidate.
std::string closest(std::string_view typed, const std::vector<std::string>& candidates);

// "did you mean 'X'?" (with `prefix` before X, e.g. "--"), or empty when nothing is close.
std::string did_you_mean(std::string_view typed, const std::vector<std::string>& candidates,
                         std::string_view prefix = {});

} // namespace factory::cli
