#!/usr/bin/env bash
# amd-corpus.sh generates a labelled corpus of answered calls for answering-machine
# detection: humans and machines spoken by espeak-ng, shaped by sox into telephone audio.
#
#   scripts/amd-corpus.sh [--seed N] [--count N] [--jobs N] [--channel model|line] OUTDIR
#
# OUTDIR gets one WAV per call (8 kHz mono; mostly G.711 mu-law, some A-law and PCM16)
# and manifest.csv with the labels:
#   file,label,kind,speech_start_ms,speech_end_ms,beep_onset_ms,beep_end_ms,beep_hz,
#   voice,speed,pitch,noise,snr_db,loss_frames,format
# speech_end_ms is the end of the greeting (for humans: of the first utterance);
# beep_* are empty when the call has no beep. The same seed gives the same files.
#
# Humans: short greetings ("Hello?", "Hi, this is Dana", "Hello... hello?"), some with a
# second "Hello?" after a pause, some silent pick-ups, some business-style greetings.
# Machines: personal and carrier voicemail greetings of about 2-20 s, with or without a
# beep (400-2000 Hz, 100 ms-2 s), some with music under the greeting. Everything is
# band-limited to 300-3400 Hz, mixed with noise at several levels, coded as mu-law and
# loses a few 20 ms packets (filled with mu-law silence).
#
# Where the background noise is depends on what answered (the "channel", appended to
# kind as kind/channel):
#   humans   line   85 %  the handset's room noise from answer to hang-up
#            quiet  10 %  the same at a very low level (peak -52..-60 dBFS): a quiet room,
#                         a phone's noise suppression
#            gated   5 %  a VoIP line with a noise gate: noise only while the person
#                         talks (200 ms either side), digital silence in between
#   machines platform 45 %  a voicemail platform: digital silence around the greeting;
#                         a personal greeting carries its recording room's noise (with
#                         100-400 ms of it before and after the words), a carrier greeting
#                         is a studio recording with none
#            comfort 25 %  the same over a leg with comfort noise (peak -78..-84 dBFS)
#            line    30 %  an answering machine on a phone line: noise throughout, as a
#                         live handset has
# --channel line puts every call on a line (noise throughout): no call then carries a
# clue in its background, which is how the corpus was made before the channel model.
#
# Needs espeak-ng and sox (scripts/install-deps.sh installs both).
set -euo pipefail

# ---------------------------------------------------------------------------------------
# render one call: called by xargs with one plan line.
render() {
  local line=$1 out=$2
  local id label kind voice speed pitch wgap lead text1 pause text2 tail beephz beepms beepgap beepdb music musicdb noise snr level loss fmt chan chanlvl roll
  IFS='|' read -r id label kind voice speed pitch wgap lead text1 pause text2 tail beephz beepms beepgap beepdb music musicdb noise snr level loss fmt chan chanlvl roll <<<"$line"
  local tmp
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  local S="sox -R -D -V1"
  local F="-r 8000 -c 1 -b 16"

  sil() { $S -n $F "$tmp/$1" trim 0 "$2"; }
  speak() { # text -> 8 kHz, trimmed, peak-normalised speech
    espeak-ng -v "$voice" -s "$speed" -p "$pitch" -g "$wgap" -w "$tmp/raw_$1.wav" "$2"
    $S "$tmp/raw_$1.wav" $F "$tmp/$1.wav" gain -6 silence 1 0.01 0.3% reverse silence 1 0.01 0.3% reverse rate 8000 gain -n "$level"
  }
  samples() { soxi -s "$1"; }

  local parts=() t=0 sstart="" send="" bon="" bend="" s1end="" s2start="" s2end=""
  sil lead.wav "$lead"; parts+=("$tmp/lead.wav"); t=$(samples "$tmp/lead.wav")
  if [ -n "$text1" ]; then
    speak s1 "$text1"
    sstart=$t
    t=$((t + $(samples "$tmp/s1.wav")))
    send=$t s1end=$t
    if [ -n "$music" ]; then
      # a chord with a slow tremolo under the greeting
      local d; d=$(soxi -D "$tmp/s1.wav")
      $S -n -r 8000 -c 3 -b 16 "$tmp/chord.wav" synth "$d" sine "$music" sine "$(awk -v f="$music" 'BEGIN{print f*1.26}')" sine "$(awk -v f="$music" 'BEGIN{print f*1.5}')" tremolo 3 40 remix - gain -n "$musicdb"
      $S -m -v 1 "$tmp/s1.wav" -v 1 "$tmp/chord.wav" $F "$tmp/s1m.wav"
      parts+=("$tmp/s1m.wav")
    else
      parts+=("$tmp/s1.wav")
    fi
  fi
  if [ -n "$text2" ]; then
    sil pause.wav "$pause"; parts+=("$tmp/pause.wav")
    t=$((t + $(samples "$tmp/pause.wav")))
    speak s2 "$text2"; parts+=("$tmp/s2.wav")
    s2start=$t
    t=$((t + $(samples "$tmp/s2.wav")))
    s2end=$t
    [ "$label" = machine ] && send=$t
  fi
  if [ -n "$beephz" ]; then
    sil bgap.wav "$beepgap"; parts+=("$tmp/bgap.wav")
    t=$((t + $(samples "$tmp/bgap.wav")))
    $S -n $F "$tmp/beep.wav" synth "$beepms" sine "$beephz" fade h 0.005 "$beepms" 0.005 gain -n "$beepdb"
    bon=$t
    t=$((t + $(samples "$tmp/beep.wav")))
    bend=$t
    parts+=("$tmp/beep.wav")
  fi
  sil tail.wav "$tail"; parts+=("$tmp/tail.wav")
  t=$((t + $(samples "$tmp/tail.wav")))
  $S "${parts[@]}" "$tmp/voice.wav"
  local total; total=$(soxi -D "$tmp/voice.wav")
  local nlvl; nlvl=$(awk -v l="$level" -v s="$snr" 'BEGIN{print l-s}')
  local mix=(-v 1 "$tmp/voice.wav") nseg=0
  segnoise() { # from-sample to-sample dBFS: noise over that span, digital silence elsewhere
    local a=$(( $1 < 0 ? 0 : $1 )) b=$2 tot; tot=$(samples "$tmp/voice.wav")
    (( b > tot )) && b=$tot
    (( b > a )) || return 0
    nseg=$((nseg + 1))
    $S -n $F "$tmp/n$nseg.wav" synth "$(awk -v n=$((b - a)) 'BEGIN{printf "%.4f", n/8000}')" "$noise" gain -n "$3" \
      pad "$(awk -v n="$a" 'BEGIN{printf "%.4f", n/8000}')" "$(awk -v n=$((tot - b)) 'BEGIN{printf "%.4f", n/8000}')"
    mix+=(-v 1 "$tmp/n$nseg.wav")
  }
  local whole; whole=$(samples "$tmp/voice.wav")
  case $chan in
    quiet) segnoise 0 "$whole" "$chanlvl" ;;
    gated) # noise while the person talks, 200 ms either side
      [ -n "$sstart" ] && segnoise $((sstart - 1600)) $((s1end + 1600)) "$nlvl"
      [ -n "$s2start" ] && segnoise $((s2start - 1600)) $((s2end + 1600)) "$nlvl" ;;
    platform|comfort)
      [ "$chan" = comfort ] && segnoise 0 "$whole" "$chanlvl"
      # a personal greeting carries its recording room's noise; a carrier one is clean
      case $kind in personal*) segnoise $((sstart - roll * 8)) $((send + roll * 8)) "$nlvl" ;; esac ;;
    *) segnoise 0 "$whole" "$nlvl" ;;
  esac
  if (( nseg == 0 )); then
    $S "$tmp/voice.wav" -t raw -r 8000 -c 1 -e mu-law -b 8 "$tmp/call.ul" sinc 300-3400
  else
    $S -m "${mix[@]}" -t raw -r 8000 -c 1 -e mu-law -b 8 "$tmp/call.ul" sinc 300-3400
  fi

  # packet loss: overwrite 20 ms frames with mu-law silence (0xFF)
  local frames=$(( $(stat -c %s "$tmp/call.ul") / 160 )) lost=0 k
  if [ "$loss" -gt 0 ]; then
    head -c 160 /dev/zero | tr '\0' '\377' >"$tmp/ff"
    RANDOM=$(( 10#${id} * 7919 + loss ))
    for ((k = 0; k < frames; k++)); do
      if (( RANDOM % 1000 < loss )); then
        dd if="$tmp/ff" of="$tmp/call.ul" bs=160 seek="$k" conv=notrunc status=none
        lost=$((lost + 1))
      fi
    done
  fi
  local enc
  case $fmt in
    alaw) enc="-e a-law -b 8" ;;
    pcm16) enc="-e signed-integer -b 16" ;;
    *) enc="-e u-law -b 8" ;;
  esac
  local name="call-${id}.wav"
  $S -t raw -r 8000 -c 1 -e mu-law -b 8 "$tmp/call.ul" -t wav $enc "$out/$name"
  ms() { [ -n "$1" ] && echo $(( $1 / 8 )) || true; }
  echo "$name,$label,$kind/$chan,$(ms "$sstart"),$(ms "$send"),$(ms "$bon"),$(ms "$bend"),$beephz,$voice,$speed,$pitch,$noise,$snr,$lost,$fmt" >"$out/.parts/$id.csv"
}

if [ "${1:-}" = "--render" ]; then
  render "$2" "$3"
  exit 0
fi

# ---------------------------------------------------------------------------------------
seed=1 count=400 jobs=2 channel=model
while [ $# -gt 0 ]; do
  case $1 in
    --channel) channel=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --count) count=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    -h|--help) sed -n '2,39p' "$0"; exit 0 ;;
    --*) echo "amd-corpus: unknown flag $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
if [ $# -ne 1 ]; then
  echo "usage: amd-corpus.sh [--seed N] [--count N] [--jobs N] OUTDIR" >&2
  exit 2
fi
out=$1
case $seed in ''|*[!0-9]*) echo "amd-corpus: --seed must be a whole number, got '$seed'" >&2; exit 2 ;; esac
case $channel in model|line) ;; *) echo "amd-corpus: --channel must be model or line, got '$channel'" >&2; exit 2 ;; esac
case $count in ''|*[!0-9]*|0) echo "amd-corpus: --count must be a whole number above 0, got '$count'" >&2; exit 2 ;; esac
for p in espeak-ng sox soxi; do
  command -v "$p" >/dev/null || { echo "amd-corpus: $p not found; run scripts/install-deps.sh" >&2; exit 1; }
done
mkdir -p "$out/.parts"
rm -f "$out"/.parts/*.csv

humans_short=("Hello?" "Hello." "Yeah?" "Hi." "Yes?" "Speaking." "Yeah, hi." "Hello, this is Mike." "Hi, this is Dana."
  "Who's this?" "Hello... hello?" "Yes, hello?" "Hi there." "Good morning." "Hey." "Hello, Smith residence." "Yep?"
  "This is Karen." "Hello, who is calling?" "Uh, hello?" "Hello, Jim speaking." "Yes, this is she." "Hiya.")
humans_again=("Hello?" "Hello? Anyone there?" "Hello, is someone there?" "Yes?" "Hello??")
humans_business=("Thanks for calling Acme Plumbing, this is Sarah, how can I help you?"
  "Good morning, Smith and Partners, Dana speaking."
  "Riverside Dental, this is Maria, how may I help you?"
  "Hello, Bright Auto Repair, what can I do for you?"
  "Thank you for calling City Florist, this is Tom."
  "Front desk, this is Alex speaking, how can I help?"
  "Parker Insurance, Jenny speaking."
  "Good afternoon, Lakeside Hotel, how may I direct your call?")
machines_personal=("Hi, you've reached John Smith. I can't take your call right now. Please leave your name and number after the tone and I'll call you back."
  "Hey, it's Dana, I'm not around right now. Leave a message and I'll get back to you."
  "You have reached the voicemail of Maria Lopez. Please leave a message after the beep."
  "Hi, this is Mike. Sorry I missed your call. Leave your name, number and a short message, and I will return your call as soon as I can."
  "Hello, you've reached the Johnson family. We can't come to the phone right now, so please leave a message after the tone. Thanks!"
  "This is Alex. I'm either away from my phone or on another call. Please leave a message."
  "Hi! You've reached Sam and Jordan. Leave us a message and we'll call you back. Have a great day!"
  "You've reached Doctor Patel's office. Our office hours are Monday through Friday, nine to five. Please leave a message with your name and phone number, and we will return your call on the next business day."
  "Hi, you've reached Karen at Parker Insurance. I'm away from my desk. Please leave your name, number and the reason for your call."
  "Hello, this is Tom. Please leave a message after the tone."
  "You've reached Chris. Leave a message.")
machines_carrier=("The person you are calling is not available. At the tone, please record your message. When you have finished recording, you may hang up or press pound for more options."
  "The number you have dialed, five five five, zero one three four, is not available. Please leave a message after the tone."
  "Your call has been forwarded to an automatic voice message system. Five five five, two nine eight one, is not available. At the tone, please record your message. When you are finished, hang up, or press one for more options."
  "The subscriber you have called is not available right now. Please leave your message after the tone."
  "Please leave a message for, eight zero two, five five five, zero one nine nine. After the tone, record your message, then hang up."
  "Sorry, the person you are trying to reach is unavailable. Please leave a message after the tone, or hang up to end the call.")
voices=(en-us en-gb en-gb-scotland en-029 en-us-nyc en-gb-x-rp en-gb-x-gbclan)
variants=("" +m1 +m2 +m3 +m4 +m5 +m6 +m7 +f1 +f2 +f3 +f4 +f5 +klatt +croak)
noises=(pinknoise whitenoise brownnoise)
snrs=(45 30 25 20 15)
losses=(0 0 5 10 20)      # per mille of frames lost
formats=(ulaw ulaw ulaw ulaw ulaw ulaw ulaw ulaw alaw pcm16)

# The plan is drawn from bash's RANDOM, seeded once. Helpers set variables instead of
# printing, because a $(...) subshell would reseed RANDOM and break determinism.
RANDOM=$seed
rnd() { R=$(( $1 + RANDOM % ($2 - $1 + 1) )); }                            # R: integer in [a,b]
sec() { rnd "$1" "$2"; printf -v R '%d.%03d' $((R / 1000)) $((R % 1000)); }  # R: ms range -> seconds
pick() { local -n a=$1; R=${a[RANDOM % ${#a[@]}]}; }                        # R: one element

plan="$out/.parts/plan.txt"
: >"$plan"
for ((i = 1; i <= count; i++)); do
  printf -v id '%04d' "$i"
  pick voices; voice=$R; pick variants; voice=$voice$R
  rnd 130 210; speed=$R; rnd 25 75; pitch=$R; rnd 0 4; wgap=$R
  pick noises; noise=$R; pick snrs; snr=$R; rnd 3 20; level=-$R; pick losses; loss=$R; pick formats; fmt=$R
  text1="" text2="" pause="" beephz="" beepms="" beepgap="" beepdb="" music="" musicdb=""
  if (( RANDOM % 2 == 0 )); then
    label=human
    sec 150 1500; lead=$R; sec 3000 5000; tail=$R
    r=$((RANDOM % 100))
    if (( r < 8 )); then
      kind=silent
    elif (( r < 20 )); then
      kind=business; pick humans_business; text1=$R
    else
      kind=short; pick humans_short; text1=$R
      if (( RANDOM % 100 < 30 )); then
        kind=short-again; sec 1500 3000; pause=$R; pick humans_again; text2=$R
      fi
    fi
  else
    label=machine
    sec 50 1000; lead=$R; sec 2000 4000; tail=$R
    if (( RANDOM % 100 < 55 )); then kind=personal; pick machines_personal; text1=$R
    else kind=carrier; pick machines_carrier; text1=$R; fi
    if (( RANDOM % 100 < 20 )); then rnd 180 400; music=$R; rnd 10 20; musicdb=$(( level - R )); kind=$kind-music; fi
    if (( RANDOM % 100 < 75 )); then
      r=$((RANDOM % 100))
      if (( r < 60 )); then rnd 800 1200; else rnd 400 2000; fi
      beephz=$R
      r=$((RANDOM % 100))
      if (( r < 70 )); then sec 150 700; else sec 100 2000; fi
      beepms=$R
      sec 100 1000; beepgap=$R; rnd 0 12; beepdb=$(( level - R ))
    fi
  fi
  # the channel: where the background noise is (see the header)
  chan=line chanlvl="" roll=0
  r=$((RANDOM % 100))
  if [ "$label" = human ]; then
    if (( r < 10 )); then rnd 52 60; chan=quiet chanlvl=-$R
    elif (( r < 15 )); then chan=gated; fi
  else
    rnd 100 400; roll=$R
    if (( r < 45 )); then chan=platform
    elif (( r < 70 )); then rnd 78 84; chan=comfort chanlvl=-$R; fi
  fi
  [ "$channel" = line ] && chan=line
  echo "$id|$label|$kind|$voice|$speed|$pitch|$wgap|$lead|$text1|$pause|$text2|$tail|$beephz|$beepms|$beepgap|$beepdb|$music|$musicdb|$noise|$snr|$level|$loss|$fmt|$chan|$chanlvl|$roll" >>"$plan"
done

start=$(date +%s)
tr '\n' '\0' <"$plan" | xargs -0 -P "$jobs" -I{} "$0" --render {} "$out"
{
  echo "file,label,kind,speech_start_ms,speech_end_ms,beep_onset_ms,beep_end_ms,beep_hz,voice,speed,pitch,noise,snr_db,loss_frames,format"
  cat "$out"/.parts/[0-9]*.csv
} >"$out/manifest.csv"
rm -rf "$out/.parts"
echo "amd-corpus: $count calls in $out (seed $seed) in $(( $(date +%s) - start )) s" >&2
