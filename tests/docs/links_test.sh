#!/usr/bin/env bash
# Every relative link in the project's markdown points at something that exists.
#   links_test.sh <source tree>
# For each *.md file of the source tree (build trees, which hold a CMakeCache.txt, left out), each
# link `[text](target)` that is not a URL must name an existing file or folder, relative to the
# markdown file; a `#anchor` into a markdown file must match one of its headings, as GitHub makes
# anchors of them (lower case; letters, digits, spaces, `-` and `_` kept; spaces become `-`). So
# moving a section or renaming a file fails here, naming the link, until every link follows.
set -euo pipefail

if (($# != 1)); then
    echo "usage: $0 <source tree>" >&2
    exit 2
fi
root="$(cd "$1" && pwd)"

# The anchors GitHub gives the headings of a markdown file, one per line.
anchors() {
    sed -n 's/^#\{1,6\}[[:space:]]\{1,\}//p' "$1" |
        tr '[:upper:]' '[:lower:]' |
        sed -e 's/[^a-z0-9 _-]//g' -e 's/ /-/g'
}

files=()
while IFS= read -r -d '' f; do
    files+=("$f")
done < <(find "$root" \( -name .git -o -exec test -e '{}/CMakeCache.txt' \; \) -prune -o -name '*.md' -type f -print0)
((${#files[@]} > 0)) || { echo "links: no markdown files under $root" >&2; exit 1; }

bad=0
links=0
for file in "${files[@]}"; do
    dir="$(dirname "$file")"
    # One link per line: the target of every `](...)` outside inline code is good enough here.
    while IFS= read -r target; do
        case "$target" in
        http://* | https://* | mailto:*) continue ;;
        esac
        links=$((links + 1))
        path="${target%%#*}"
        anchor=""
        [[ "$target" == *"#"* ]] && anchor="${target#*#}"
        if [[ -z "$path" ]]; then
            dest="$file"
        else
            dest="$(realpath -m "$dir/$path")"
        fi
        where="${file#"$root"/}"
        if [[ ! -e "$dest" ]]; then
            echo "links: $where links to $target, which does not exist" >&2
            bad=$((bad + 1))
            continue
        fi
        if [[ -n "$anchor" && "$dest" == *.md ]] && ! anchors "$dest" | grep -qxF -- "$anchor"; then
            echo "links: $where links to $target, but ${dest#"$root"/} has no heading with that anchor" >&2
            bad=$((bad + 1))
        fi
    done < <(grep -o '\](\([^)[:space:]]*\))' "$file" | sed -e 's/^](//' -e 's/)$//')
done

if ((bad > 0)); then
    echo "links: $bad of $links relative links in ${#files[@]} markdown files are broken" >&2
    exit 1
fi
echo "links: $links relative links in ${#files[@]} markdown files, all resolve"
