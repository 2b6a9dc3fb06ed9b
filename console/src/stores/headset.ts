/**
 * The operator's headset on the desk: which one rings for them (edge headset bindings), its state
 * (online, ringing, off-hook, muted) kept live by the frames the core pushes (`headset.state`,
 * `headset.binding`), binding to a headset of their site and unbinding.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import { edge } from '../services.ts';
import { isHeadsetFrame, type HeadsetBinding, type HeadsetChoice } from '../api/edge.ts';
import { useLive } from './live.ts';
import { useSession } from './session.ts';

export const useHeadset = defineStore('headset', () => {
  const headset = shallowRef<HeadsetBinding | null>(null);
  const loaded = ref(false);
  const choices = shallowRef<HeadsetChoice[] | null>(null);
  /** Why the headset or the choices could not be read. */
  const error = shallowRef<Error | null>(null);
  const busy = ref(false);

  let subscribed = false;
  async function load(): Promise<void> {
    if (!subscribed) {
      subscribed = true;
      useLive().subscribe((f) => {
        if (isHeadsetFrame(f)) headset.value = f.headset;
      });
    }
    try {
      headset.value = (await edge.myHeadset()).headset;
      error.value = null;
    } catch (err) {
      error.value = err as Error;
    } finally {
      loaded.value = true;
    }
  }

  async function loadChoices(): Promise<void> {
    choices.value = null;
    try {
      choices.value = await edge.headsetChoices();
      error.value = null;
    } catch (err) {
      error.value = err as Error;
      choices.value = [];
    }
  }

  /** A change; its failure goes to the caller (the desk tells the operator). */
  async function run(work: () => Promise<void>): Promise<void> {
    busy.value = true;
    try {
      await work();
    } finally {
      busy.value = false;
    }
  }

  const me = () => useSession().user!.id;
  const bind = (agentRowId: number, headsetId: string) => run(async () => {
    headset.value = await edge.bindHeadset(me(), agentRowId, headsetId);
  });
  const unbind = () => run(async () => {
    await edge.unbindHeadset(me());
    headset.value = null;
  });

  return { headset, loaded, choices, error, busy, load, loadChoices, bind, unbind };
});
