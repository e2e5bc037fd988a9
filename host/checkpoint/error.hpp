// The one exception of the checkpoint files library. Its message names the file or folder and
// says what is wrong (and, where there is something to do, what to do).
#pragma once

#include <stdexcept>

namespace factory::checkpoint {

class checkpoint_error : public std::runtime_error {
public:
    using runtime_error::runtime_error;
};

} // namespace factory::checkpoint
