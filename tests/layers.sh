#!/bin/bash
# tests/layers.sh [ROOT] — check the include direction of concviz's layers
# (docs/design.md, "Layers").  Every quoted #include in user/*/ and tui/ is
# resolved the way the compiler does (the file's folder, then -I. -Iuser
# -Ibuild) and the folder it lands in must be the includer's own or one the
# includer's layer may use.  Prints one line per violation; exit 1 if any.
set -u
root=${1:-$(dirname "$0")/..}
cd "$root" || exit 2

# layer -> the layers it may include (lower ones); bpf/events.h is the event
# ABI and open to all
declare -A may=(
	[common]=""
	[model]="common"
	[record]="common model"
	[output]="common model record"
	[source]="common model record"
	[live]="common model record source build"
	[cli]="common model record output source live tui build"
)
# tui/ reads the model's public header, the source port and shared
# formatting and clocks, nothing else (files, not layers)
tui_may="user/model/model.h user/source/source.h user/common/fmt.h user/common/names.h user/common/clock.h"

layer_of() { # path -> layer name
	case $1 in
	user/*/*) local l=${1#user/}; echo "${l%%/*}" ;;
	tui/*) echo tui ;;
	bpf/probe/*) echo probe ;; # the probes' own parts: no user-space includer
	bpf/*) echo bpf ;;
	build/*) echo build ;;
	system/*) echo system ;;
	*) echo other ;;
	esac
}

resolve() { # includer include [angle] -> normalised path of the file it names
	local dir cand cands
	dir=$(dirname "$1")
	cands=("$dir/$2" "$2" "user/$2" "build/$2")
	[ -n "${3:-}" ] && cands=("$2" "user/$2" "build/$2")
	for cand in "${cands[@]}"; do
		if [ -e "$cand" ]; then realpath -m --relative-to=. "$cand"; return; fi
	done
	# a generated header that is not built yet: only the skeleton
	case $2 in *.skel.h) echo "build/$2"; return ;; esac
	[ -n "${3:-}" ] && { echo "system/$2"; return; }
	echo "unresolved/$2"
}

bad=0
while IFS= read -r f; do
	from=$(layer_of "$f")
	while IFS=' ' read -r kind inc; do
		to_path=$(resolve "$f" "$inc" "${kind#q}")
		to=$(layer_of "$to_path")
		ok=0
		if [ "$to" = "$from" ] || [ "$to" = bpf ] || [ "$to" = system ]; then
			ok=1
		elif [ "$from" = tui ]; then
			for p in $tui_may; do [ "$to_path" = "$p" ] && ok=1; done
		else
			for l in ${may[$from]-}; do [ "$to" = "$l" ] && ok=1; done
		fi
		if [ $ok = 0 ]; then
			echo "layers: $f includes \"$inc\" ($to_path): $from may not use $to" >&2
			bad=1
		fi
	done < <(sed -n -e 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/q \1/p' \
			-e 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*<\([^>]*\)>.*/a \1/p' "$f")
	# an include through a macro cannot be followed: refuse it
	if grep -Eq '^[[:space:]]*#[[:space:]]*include[[:space:]]+[A-Za-z_]' "$f"; then
		echo "layers: $f includes through a macro: name the header" >&2
		bad=1
	fi
done < <(find user tui -type f | sort)

if [ $bad = 0 ]; then
	echo "layers: ok ($(find user tui -type f | wc -l) files)"
fi
exit $bad
